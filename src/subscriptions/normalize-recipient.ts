// One recipient, the way its service understands it: normalised (so one destination is one string) and
// validated (a recipient is a name, never a control sequence or a mention). Pure. Each service type normalises
// in its own definition (`recipients.normalize`, e.g. Slack: `#deploys` ≡ `deploys` ≡ ` deploys` ≡ `Deploys`,
// ids kept exactly; others: trimmed) and says what it cannot take (`recipients.problem`, e.g. Slack mentions).
// Rejected here for every type: control characters (newline, NUL, …), bidirectional overrides and zero-width
// characters (text that reads differently than it is), more than MAX_RECIPIENT_LENGTH characters.
import type { ServiceType } from "../config/types.ts";
import { serviceTypeOf } from "../sinks/registry.ts";

export const MAX_RECIPIENT_LENGTH = 256;

export type NormalizedRecipient = { ok: true; recipient: string } | { ok: false; reason: string };

// C0 and C1 controls, DEL
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// bidi embeddings/overrides/isolates, marks, zero-width characters, BOM, line/paragraph separators
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function describeChar(text: string, re: RegExp): string {
  const c = re.exec(text)?.[0] ?? "";
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Normalises and validates one recipient for a service type (an unknown type: trimmed and validated only). */
export function normalizeRecipient(
  serviceType: ServiceType | string,
  recipient: string,
): NormalizedRecipient {
  if (typeof recipient !== "string") return { ok: false, reason: "recipient must be a string" };
  if (CONTROL.test(recipient)) {
    return {
      ok: false,
      reason: `recipient contains a control character (${describeChar(recipient, CONTROL)})`,
    };
  }
  if (INVISIBLE.test(recipient)) {
    return {
      ok: false,
      reason: `recipient contains an invisible or direction-changing character (${describeChar(recipient, INVISIBLE)})`,
    };
  }
  if (recipient.length > MAX_RECIPIENT_LENGTH) {
    return { ok: false, reason: `recipient is longer than ${MAX_RECIPIENT_LENGTH} characters` };
  }
  const normalize = serviceTypeOf(serviceType)?.recipients.normalize;
  return { ok: true, recipient: normalize ? normalize(recipient) : recipient.trim() };
}
