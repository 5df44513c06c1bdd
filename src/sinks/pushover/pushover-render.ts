// Renders the `pushover:` sections. A template with only a `message` is sent as upstream sends it (the message
// alone); `pushover.message` wins over the message; priority must render to -2 … 2.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type { PushoverMessage, PushoverServiceConfig, PushoverTemplateSpec } from "./pushover-types.ts";

const FIELDS = ["title", "message", "priority", "url", "urlTitle", "sound"] as const;

export function pushoverTemplateSources(spec: PushoverTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of FIELDS) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const pushoverEscapeMode = (_field: string): EscapeMode => "none";

export function renderPushover(input: RenderInput<PushoverServiceConfig>): PushoverMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "pushover."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { message: message.value };
  const templates = own.length ? own : input.builtin();
  const r = (k: string) => lastNonEmpty(templates, `pushover.${k}`, ctx);
  const msg: PushoverMessage = { message: r("message")?.value ?? message?.value ?? "" };
  const title = r("title")?.value.trim();
  if (title) msg.title = title;
  const priority = r("priority");
  if (priority) {
    const p = Number(priority.value.trim());
    if (!Number.isInteger(p) || p < -2 || p > 2)
      throw new TemplateError(priority.template, "pushover.priority", "must render to -2, -1, 0, 1 or 2");
    msg.priority = p;
  }
  for (const k of ["url", "urlTitle", "sound"] as const) {
    const v = r(k)?.value.trim();
    if (v) msg[k] = v;
  }
  return msg;
}
