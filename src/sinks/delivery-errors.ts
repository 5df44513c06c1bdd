// Shared failure classification for the HTTP sinks: what the queue retries (transient) and what goes to dead
// letters (permanent). Messages name the sink and destination, never a credential.
import { findBlockedAddressError } from "./http/guarded-connector.ts";
import { DeliveryError } from "./sink.ts";

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unparsable. */
export function parseRetryAfter(
  value: string | string[] | undefined | null,
  now = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** HTTP statuses worth retrying: request timeout, too early, rate limited, and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A DeliveryError for a non-2xx HTTP answer. `what` names the sink and destination, e.g. `webhook "github"`. */
export function deliveryErrorForStatus(
  what: string,
  status: number,
  opts: { retryAfter?: string | string[] | undefined; detail?: string } = {},
): DeliveryError {
  const transient = isTransientStatus(status);
  const retryAfterMs = transient ? parseRetryAfter(opts.retryAfter) : undefined;
  const detail = opts.detail ? `: ${opts.detail}` : "";
  const errOpts: { transient: boolean; code: string; retryAfterMs?: number } = {
    transient,
    code: `http_${status}`,
  };
  if (retryAfterMs !== undefined) errOpts.retryAfterMs = retryAfterMs;
  return new DeliveryError(`${what} answered HTTP ${status}${detail}`, errOpts);
}

/**
 * Error codes of node and undici meaning the network, not the request, failed (connect refused/reset, DNS, TLS
 * handshake, socket closed) or timed out. The one list: sinks' errors, the queue's failure classification and the
 * metric's failure reason all read it.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_ABORTED",
]);

/** A network failure's code: one of NETWORK_ERROR_CODES or any other undici socket error (`UND_ERR_*`). */
export function isNetworkErrorCode(code: string): boolean {
  return NETWORK_ERROR_CODES.has(code) || code.startsWith("UND_ERR_");
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    const name = (e as { name?: unknown }).name;
    if (typeof code === "string" && code !== "") return code;
    if (name === "TimeoutError" || name === "AbortError") return name;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether an error (or its cause chain) is a timeout. */
export function isTimeoutError(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code === "TimeoutError" ||
    code === "ETIMEDOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT"
  );
}

/** A transient DeliveryError for a network failure or timeout; keeps the cause, names no credential. */
export function deliveryErrorForNetwork(what: string, err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const code = errorCode(err) ?? "network_error";
  const timeout = isTimeoutError(err);
  const reason = timeout ? "timed out" : `network error (${code})`;
  const known = NETWORK_ERROR_CODES.has(code) || timeout;
  return new DeliveryError(`${what}: ${reason}${known ? "" : `: ${messageOf(err)}`}`, {
    transient: true,
    code: timeout ? "timeout" : "network_error",
    cause: err,
  });
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** First `max` characters of a response body, for error messages. */
export function snippet(body: string, max = 300): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A permanent DeliveryError when `err` is the SSRF guard refusing an address; undefined otherwise. */
export function blockedAddressDeliveryError(
  what: string,
  tenantNamespace: string | undefined,
  err: unknown,
): DeliveryError | undefined {
  const blocked = findBlockedAddressError(err);
  if (!blocked) return undefined;
  return new DeliveryError(`${what} from namespace ${tenantNamespace ?? "?"}: ${blocked.message}`, {
    transient: false,
    code: "blocked_address",
    cause: blocked,
  });
}

/** The DeliveryError for an HTTP answer a type did not accept: its status (or the one it stands for), Retry-After. */
export function deliveryErrorForAnswer(
  what: string,
  answer: { statusCode: number; headers: Record<string, string | string[] | undefined> },
  detail: string,
  status = answer.statusCode,
): DeliveryError {
  return deliveryErrorForStatus(what, status, { retryAfter: answer.headers["retry-after"], detail });
}
