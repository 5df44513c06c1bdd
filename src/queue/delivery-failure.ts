// What went wrong with a delivery, in a form safe to store and show: a code, a message without secrets,
// whether trying again may help, and how long the server asked us to wait.
import type { ServiceConfig } from "../config/types.ts";
import { processRedactor } from "../redaction/secret-redactor.ts";
import { isNetworkErrorCode } from "../sinks/delivery-errors.ts";
import { serviceSecretSpellings } from "../sinks/service-secrets.ts";
import { DeliveryError } from "../sinks/sink.ts";

export interface DeliveryFailure {
  code: string;
  message: string;
  transient: boolean;
  retryAfterMs?: number;
}

const MAX_MESSAGE_LENGTH = 500;

/** Classifies anything a sink threw. Unknown errors count as transient (bounded by the retry policy). */
export function classifyDeliveryFailure(err: unknown, service?: ServiceConfig): DeliveryFailure {
  const scrub = (m: string) =>
    processRedactor.redact(redactServiceSecrets(m, service)).slice(0, MAX_MESSAGE_LENGTH);
  if (err instanceof DeliveryError) {
    const f: DeliveryFailure = { code: err.code, message: scrub(err.message), transient: err.transient };
    if (err.retryAfterMs !== undefined && Number.isFinite(err.retryAfterMs) && err.retryAfterMs > 0) {
      f.retryAfterMs = err.retryAfterMs;
    }
    return f;
  }
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const message = scrub(typeof e?.message === "string" ? e.message : String(err));
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (code && isNetworkErrorCode(code)) {
    return { code: `network-${code}`, message, transient: true };
  }
  if (e?.name === "AbortError" || e?.name === "TimeoutError")
    return { code: "timeout", message, transient: true };
  return { code: "unexpected", message, transient: true };
}

/** Replaces every secret of the service found in `text` with "[redacted]". */
export function redactServiceSecrets(text: string, service?: ServiceConfig): string {
  if (!service) return text;
  let out = text;
  const values = serviceSecretSpellings(service, { wholeUrls: true })
    .filter((v) => v.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const v of values) out = out.split(v).join("[redacted]");
  return out;
}
