// Renders the `webex:` sections. A template with only a `message` is sent as upstream sends it (as markdown);
// `webex.markdown` wins. Values are inserted as they are (Webex markdown).
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { WebexMessage, WebexServiceConfig, WebexTemplateSpec } from "./webex-types.ts";

export function webexTemplateSources(spec: WebexTemplateSpec): [string, string][] {
  return typeof spec.markdown === "string" ? [["markdown", spec.markdown]] : [];
}

export const webexEscapeMode = (_field: string): EscapeMode => "none";

export function renderWebex(input: RenderInput<WebexServiceConfig>): WebexMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "webex."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { markdown: message.value };
  const templates = own.length ? own : input.builtin();
  return { markdown: lastNonEmpty(templates, "webex.markdown", ctx)?.value ?? message?.value ?? "" };
}
