// Renders the `googlechat:` sections: text = the message, cards/cardsV2 parsed from YAML or JSON after rendering (as
// upstream), each cardsV2 entry wrapped as {cardId, card} unless it is already, threadKey. Without any section the
// trigger's built-in template is used.
import { parse as parseYaml } from "yaml";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, type Rendered, truncateChars } from "../../templates/fields.ts";
import { TemplateError } from "../../templates/template-error.ts";
import type { RenderInput } from "../service-type.ts";
import type {
  GoogleChatMessage,
  GoogleChatServiceConfig,
  GoogleChatTemplateSpec,
} from "./googlechat-types.ts";

/** Google Chat's limit on a message's text. */
export const GOOGLECHAT_TEXT_MAX = 4096;

export function googleChatTemplateSources(spec: GoogleChatTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["cards", "cardsV2", "threadKey"] as const)
    if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

// cards are YAML (JSON is YAML too): values go in as they are, as upstream
export const googleChatEscapeMode = (_field: string): EscapeMode => "none";

function parseList(r: Rendered, field: string): unknown[] {
  let v: unknown;
  try {
    v = parseYaml(r.value, { maxAliasCount: 100, logLevel: "error" });
  } catch (err) {
    throw new TemplateError(
      r.template,
      field,
      `rendered text is not valid YAML/JSON (${(err as Error).message.split("\n")[0]})`,
    );
  }
  if (!Array.isArray(v)) throw new TemplateError(r.template, field, "must render to a list of cards");
  return v;
}

export function renderGoogleChat(input: RenderInput<GoogleChatServiceConfig>): GoogleChatMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "googlechat."));
  const templates = own.length ? own : input.builtin();
  const msg: GoogleChatMessage = {};
  const text = lastNonEmpty(input.templates, "message", ctx)?.value;
  if (text) msg.text = truncateChars(text, GOOGLECHAT_TEXT_MAX);
  const cards = lastNonEmpty(templates, "googlechat.cards", ctx);
  if (cards) msg.cards = parseList(cards, "googlechat.cards");
  const v2 = lastNonEmpty(templates, "googlechat.cardsV2", ctx);
  if (v2) {
    msg.cardsV2 = parseList(v2, "googlechat.cardsV2").map((c, i) =>
      c !== null && typeof c === "object" && "card" in c ? c : { cardId: `card-${i}`, card: c },
    );
  }
  const threadKey = lastNonEmpty(templates, "googlechat.threadKey", ctx)?.value.trim();
  if (threadKey) msg.threadKey = threadKey;
  return msg;
}
