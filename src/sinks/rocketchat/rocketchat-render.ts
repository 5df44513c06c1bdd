// Renders the `rocketchat:` sections: text (extension; default the template's message, as upstream sends it) and
// attachments (upstream: a JSON array, values JSON-escaped). A template with only a `message` sends it as upstream.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, parseJsonField } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type {
  RocketChatMessage,
  RocketChatServiceConfig,
  RocketChatTemplateSpec,
} from "./rocketchat-types.ts";

export function rocketChatTemplateSources(spec: RocketChatTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["text", "attachments"] as const) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const rocketChatEscapeMode = (field: string): EscapeMode =>
  field === "attachments" ? "json" : "none";

export function renderRocketChat(input: RenderInput<RocketChatServiceConfig>): RocketChatMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "rocketchat."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return { text: message.value };
  const templates = own.length ? own : input.builtin();
  const msg: RocketChatMessage = {
    text: lastNonEmpty(templates, "rocketchat.text", ctx)?.value ?? message?.value ?? "",
  };
  const attachments = lastNonEmpty(templates, "rocketchat.attachments", ctx);
  if (attachments)
    msg.attachments = parseJsonField(attachments, "rocketchat.attachments", "array") as unknown[];
  return msg;
}
