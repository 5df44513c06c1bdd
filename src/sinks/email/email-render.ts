// Renders the `email:` sections: subject (one line), body (the template `message` when no body, as upstream), and
// the thread key. Without any `email:` section the trigger's built-in template is used. Values are inserted as they
// are (upstream: Go text/template); the subject is folded to one line so no header can be injected.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, truncateChars } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { EmailMessage, EmailServiceConfig, EmailTemplateSpec } from "./email-types.ts";

const SUBJECT_MAX = 250;

export function emailTemplateSources(spec: EmailTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["subject", "body", "threadKey"] as const)
    if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const emailEscapeMode = (_field: string): EscapeMode => "none";

export function renderEmail(input: RenderInput<EmailServiceConfig>): EmailMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "email."));
  const message = lastNonEmpty(input.templates, "message", ctx)?.value;
  // subject and thread from the built-in template when no template has an email section (the body stays the
  // templates' message, as upstream sends it); a custom trigger without a built-in then has no subject
  let builtin: CompiledTemplate[] = [];
  if (!own.length) {
    try {
      builtin = input.builtin();
    } catch (err) {
      if (message === undefined) throw err;
    }
  }
  const field = (k: string) =>
    lastNonEmpty(own, `email.${k}`, ctx) ?? lastNonEmpty(builtin, `email.${k}`, ctx);
  const subject = field("subject")?.value ?? "";
  const body =
    lastNonEmpty(own, "email.body", ctx)?.value ?? message ?? lastNonEmpty(builtin, "email.body", ctx)?.value;
  const msg: EmailMessage = {
    subject: truncateChars(subject.replace(/[\r\n]+\s*/g, " ").trim(), SUBJECT_MAX),
    body: body ?? "",
  };
  const threadKey = field("threadKey")?.value.trim();
  if (threadKey) msg.threadKey = threadKey;
  return msg;
}
