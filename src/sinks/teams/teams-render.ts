// Renders the `teams:` sections into one MessageCard as notifications-engine builds it: `template` (a whole card)
// wins; else @type MessageCard with title, text (else the message), summary (else the title or text, which Teams
// requires), themeColor, sections (+ a section holding `facts`) and potentialAction. JSON fields are JSON-escaped.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, parseJsonField, truncateChars } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { TeamsMessageCard, TeamsServiceConfig, TeamsTemplateSpec } from "./teams-types.ts";

const STRING_FIELDS = ["title", "summary", "text", "themeColor"] as const;
const JSON_FIELDS = ["template", "facts", "sections", "potentialAction"] as const;

export function teamsTemplateSources(spec: TeamsTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of [...STRING_FIELDS, ...JSON_FIELDS]) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const teamsEscapeMode = (field: string): EscapeMode =>
  (JSON_FIELDS as readonly string[]).includes(field) ? "json" : "none";

export function renderTeams(input: RenderInput<TeamsServiceConfig>): TeamsMessageCard {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "teams."));
  const templates = own.length ? own : input.builtin();
  const r = (k: string) => lastNonEmpty(templates, `teams.${k}`, ctx);
  const whole = r("template");
  if (whole) return { card: parseJsonField(whole, "teams.template", "object") as Record<string, unknown> };
  const message = lastNonEmpty(input.templates, "message", ctx)?.value ?? "";
  const card: Record<string, unknown> = {
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
  };
  const title = r("title")?.value;
  const text = r("text")?.value ?? message;
  if (title) card.title = title;
  if (text) card.text = text;
  card.summary = truncateChars((r("summary")?.value ?? title ?? text).trim(), 200);
  const color = r("themeColor")?.value.trim();
  if (color) card.themeColor = color;
  const sectionsR = r("sections");
  const sections = sectionsR ? (parseJsonField(sectionsR, "teams.sections", "array") as unknown[]) : [];
  const factsR = r("facts");
  if (factsR) sections.push({ facts: parseJsonField(factsR, "teams.facts", "array") });
  if (sections.length) card.sections = sections;
  const actionsR = r("potentialAction");
  if (actionsR) card.potentialAction = parseJsonField(actionsR, "teams.potentialAction", "array");
  return { card };
}
