// Webhook request signing (when the service has a `signingSecret`).
//
//   X-Rollouts-Notifier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signingSecret, "<t>.<raw body>")>
//
// Receivers recompute the HMAC over the timestamp, a dot and the raw request body bytes, compare in constant
// time, and reject timestamps older than their tolerance (replay protection). Combined with the
// `Idempotency-Key` header (the delivery's job id, identical on every retry) a receiver can also drop
// duplicates. `verifyWebhookSignature` is the reference implementation.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Rollouts-Notifier-Signature";
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

export function computeWebhookSignature(secret: string, body: string | Buffer, timestampSec: number): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`${timestampSec}.`);
  hmac.update(body);
  return hmac.digest("hex");
}

/** The signature header value for `body` at `timestampSec`. */
export function signWebhookBody(secret: string, body: string | Buffer, timestampSec: number): string {
  return `t=${timestampSec},v1=${computeWebhookSignature(secret, body, timestampSec)}`;
}

export type SignatureCheck = { ok: true; timestampSec: number } | { ok: false; reason: string };

/** Verifies a signature header against the raw body; `toleranceSec` bounds the timestamp age (default 300). */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  opts: { toleranceSec?: number; nowSec?: number } = {},
): SignatureCheck {
  if (!header) return { ok: false, reason: "missing signature header" };
  const parts = new Map<string, string[]>();
  for (const piece of header.split(",")) {
    const eq = piece.indexOf("=");
    if (eq <= 0) continue;
    const k = piece.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  if (!Number.isInteger(t)) return { ok: false, reason: "missing or invalid t=" };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? 300))
    return { ok: false, reason: "timestamp outside tolerance" };
  const expected = Buffer.from(computeWebhookSignature(secret, body, t), "hex");
  for (const v of parts.get("v1") ?? []) {
    const given = Buffer.from(v, "hex");
    if (given.length === expected.length && timingSafeEqual(given, expected))
      return { ok: true, timestampSec: t };
  }
  return { ok: false, reason: "signature mismatch" };
}
