// What a GitHub REST answer that is not a success means. GitHub's error body is {"message", "errors"?: [{resource,
// field, code, message?}], "documentation_url", "status"}. Rate limits are transient: 429, or 403 with
// x-ratelimit-remaining: 0 (primary: wait for x-ratelimit-reset) or a "secondary rate limit" message (Retry-After);
// 5xx transient; every other 4xx permanent. The detail never carries the JWT or the installation token.
import { redactSecrets } from "../common/redacted.ts";
import { deliveryErrorForStatus, parseRetryAfter, snippet } from "../delivery-errors.ts";
import type { HttpAnswer } from "../http/send-request.ts";
import { DeliveryError } from "../sink.ts";

interface GitHubErrorBody {
  message?: unknown;
  errors?: unknown;
}

/** GitHub's error message and its validation errors, in one line; the text's start when it is not GitHub's JSON. */
export function githubErrorDetail(text: string): string {
  let body: GitHubErrorBody;
  try {
    body = JSON.parse(text) as GitHubErrorBody;
  } catch {
    return snippet(text);
  }
  const message = typeof body.message === "string" ? body.message : "";
  const errors = Array.isArray(body.errors)
    ? body.errors.slice(0, 5).map((e) => {
        if (typeof e === "string") return e;
        const x = (e ?? {}) as Record<string, unknown>;
        if (typeof x.message === "string") return x.message;
        return [x.resource, x.field, x.code].filter((v) => typeof v === "string").join(" ");
      })
    : [];
  return snippet([message, ...errors].filter(Boolean).join("; ") || text);
}

const header = (a: HttpAnswer, name: string) => {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The DeliveryError for a GitHub answer the sink did not accept; `tokens` are scrubbed from the detail. */
export function githubErrorFor(what: string, a: HttpAnswer, tokens: string[], nowMs: number): DeliveryError {
  const detail = redactSecrets(githubErrorDetail(a.text), tokens);
  const rateLimited =
    a.statusCode === 429 ||
    (a.statusCode === 403 &&
      (header(a, "x-ratelimit-remaining") === "0" || /secondary rate limit/i.test(detail)));
  if (!rateLimited) return deliveryErrorForStatus(what, a.statusCode, { detail });
  let retryAfterMs = parseRetryAfter(header(a, "retry-after"), nowMs);
  const reset = Number(header(a, "x-ratelimit-reset"));
  if (retryAfterMs === undefined && Number.isFinite(reset) && reset > 0)
    retryAfterMs = Math.max(0, reset * 1000 - nowMs);
  const opts: { transient: boolean; code: string; retryAfterMs?: number } = {
    transient: true,
    code: "rate_limited",
  };
  if (retryAfterMs !== undefined) opts.retryAfterMs = retryAfterMs;
  return new DeliveryError(`${what} answered HTTP ${a.statusCode} (rate limited): ${detail}`, opts);
}
