// The failure reason exposed as a metric label: a closed set, mapped in one place from the failure code
// (DeliveryError kind, HTTP status, Slack API error, network code). A remote's free text never becomes a label
// (it can carry a credential it echoed, and would make the label set unbounded); it goes to logs and dead
// letters only, redacted.
import { isNetworkErrorCode, NETWORK_ERROR_CODES } from "../sinks/delivery-errors.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";

export const FAILURE_REASONS = [
  "auth",
  "not_found",
  "rate_limited",
  "timeout",
  "network",
  "http_4xx",
  "http_5xx",
  "invalid_request",
  "blocked_address",
  "config",
  "render",
  "unexpected",
  "other",
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

const BY_CODE: ReadonlyMap<string, FailureReason> = new Map<string, FailureReason>([
  // Slack API errors (https://api.slack.com/methods/chat.postMessage#errors) and our own codes
  ...(
    [
      "invalid_auth",
      "not_authed",
      "account_inactive",
      "token_revoked",
      "token_expired",
      "no_permission",
      "missing_scope",
      "not_allowed_token_type",
      "ekm_access_denied",
      "access_denied",
    ] as const
  ).map((c): [string, FailureReason] => [c, "auth"]),
  ...(
    ["channel_not_found", "not_in_channel", "is_archived", "user_not_found", "thread_not_found"] as const
  ).map((c): [string, FailureReason] => [c, "not_found"]),
  ...(["ratelimited", "rate_limited"] as const).map((c): [string, FailureReason] => [c, "rate_limited"]),
  // network first: the timeout codes below override the ones of NETWORK_ERROR_CODES that are timeouts
  ...["network_error", ...NETWORK_ERROR_CODES].map((c): [string, FailureReason] => [c, "network"]),
  ...(
    [
      "timeout",
      "request_timeout",
      "ETIMEDOUT",
      "TimeoutError",
      "AbortError",
      "UND_ERR_CONNECT_TIMEOUT",
      "UND_ERR_HEADERS_TIMEOUT",
      "UND_ERR_BODY_TIMEOUT",
    ] as const
  ).map((c): [string, FailureReason] => [c, "timeout"]),
  ...(["internal_error", "fatal_error", "service_unavailable"] as const).map((c): [string, FailureReason] => [
    c,
    "http_5xx",
  ]),
  ...(
    [
      "invalid_request",
      "invalid_message",
      "invalid_event",
      "event_too_large",
      "invalid_blocks",
      "invalid_attachments",
      "msg_too_long",
      "no_text",
      "too_many_attachments",
      "bad_response",
      "answer_too_large",
    ] as const
  ).map((c): [string, FailureReason] => [c, "invalid_request"]),
  ["blocked_address", "blocked_address"],
  ...(
    [
      "service-not-found",
      "service-resolve-error",
      "no-sink",
      "unknown_recipient",
      "wrong_service_type",
      "no_channel",
      "no_pagerduty_event",
    ] as const
  ).map((c): [string, FailureReason] => [c, "config"]),
  ...(["render_budget", "render_error"] as const).map((c): [string, FailureReason] => [c, "render"]),
  ["unexpected", "unexpected"],
]);

/** The closed-set reason of a failure code (`http_503`/`http-503` → `http_5xx`, `invalid_auth` → `auth`, …). */
export function failureReason(failure: Pick<DeliveryFailure, "code"> | string): FailureReason {
  const code = typeof failure === "string" ? failure : failure.code;
  const known = BY_CODE.get(code);
  if (known) return known;
  // classifyDeliveryFailure's `network-<code>` for an error a sink did not wrap
  if (code.startsWith("network-")) {
    const inner = code.slice("network-".length);
    return BY_CODE.get(inner) === "timeout" ? "timeout" : isNetworkErrorCode(inner) ? "network" : "other";
  }
  const http = /^http[_-](\d{3})$/.exec(code);
  if (http) {
    const status = Number(http[1]);
    if (status === 401 || status === 403) return "auth";
    if (status === 404 || status === 410) return "not_found";
    if (status === 429) return "rate_limited";
    if (status === 408 || status === 504) return "timeout";
    if (status >= 500) return "http_5xx";
    if (status >= 400) return "http_4xx";
  }
  return "other";
}
