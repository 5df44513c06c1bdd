// Maps @slack/web-api failures to DeliveryError. Slack answers HTTP 200 with {ok:false,error} for API errors;
// only a few of those are worth retrying. HTTP 429 (rate limited, Retry-After in seconds), 5xx, network errors
// and timeouts are transient.
import {
  ErrorCode,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from "@slack/web-api";
import { deliveryErrorForNetwork, deliveryErrorForStatus, messageOf } from "../delivery-errors.ts";
import { DeliveryError } from "../sink.ts";

/** Slack API error codes that mean "try again later". Everything else (invalid_auth, channel_not_found, …) is permanent. */
export const TRANSIENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
]);

const SLACK_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** The Slack API error code (`invalid_auth`, …) of a platform error, if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  if (err instanceof WebAPIPlatformError) return err.data.error;
  if ((err as { code?: unknown })?.code === ErrorCode.PlatformError) {
    return (err as { data?: { error?: string } }).data?.error;
  }
  return undefined;
}

/**
 * Whether Slack certainly did not act on the call: it answered with an API error or a 429. Timeouts, resets and
 * 5xx leave it open (the request may have been processed).
 */
export function slackCertainlyRejected(err: unknown): boolean {
  if (err instanceof WebAPIPlatformError || err instanceof WebAPIRateLimitedError) return true;
  if (err instanceof WebAPIHTTPError)
    return err.statusCode === 429 || (err.statusCode >= 400 && err.statusCode < 500);
  if (err instanceof WebAPIRequestError) {
    const code = (err.original as { code?: unknown; cause?: { code?: unknown } }).cause?.code;
    return code === "ECONNREFUSED";
  }
  return false;
}

export function slackDeliveryError(what: string, err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof WebAPIRateLimitedError) {
    return new DeliveryError(`${what}: rate limited by Slack (retry after ${err.retryAfter}s)`, {
      transient: true,
      code: "ratelimited",
      retryAfterMs: err.retryAfter * 1000,
      cause: err,
    });
  }
  const rawCode = slackErrorCode(err);
  if (rawCode !== undefined) {
    // Slack's codes are snake_case words; anything else is the remote's free text (it may echo our token):
    // never a code or a metric label, and only in the (redacted) message
    const code = SLACK_ERROR_CODE.test(rawCode) ? rawCode : "slack_error";
    const detail = code === rawCode ? code : `(unrecognised error ${JSON.stringify(rawCode.slice(0, 200))})`;
    return new DeliveryError(`${what}: Slack API error ${detail}`, {
      transient: TRANSIENT_SLACK_ERRORS.has(code),
      code,
      cause: err,
    });
  }
  if (err instanceof WebAPIHTTPError) {
    const retryAfter = err.headers?.["retry-after"];
    return deliveryErrorForStatus(`${what}: Slack`, err.statusCode, retryAfter ? { retryAfter } : {});
  }
  if (err instanceof WebAPIRequestError) return deliveryErrorForNetwork(what, err.original);
  // e.g. a 429 without a usable Retry-After, which the client rejects with a plain Error.
  return new DeliveryError(`${what}: ${messageOf(err)}`, {
    transient: true,
    code: "slack_error",
    cause: err,
  });
}
