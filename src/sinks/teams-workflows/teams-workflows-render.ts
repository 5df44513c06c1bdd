// Renders the `teams-workflows:` sections into one Adaptive Card, converting the fields as notifications-engine
// does: `adaptiveCard` (or the legacy `template`) wins; else title → a large bold TextBlock (coloured by themeColor),
// text (or the message) → a wrapping TextBlock, facts and sections[].facts → FactSets, potentialAction OpenUri →
// Action.OpenUrl. JSON fields are JSON-escaped.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, parseJsonField } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type {
  TeamsWorkflowsCard,
  TeamsWorkflowsServiceConfig,
  TeamsWorkflowsTemplateSpec,
} from "./teams-workflows-types.ts";

const SECTION = "teams-workflows";
const STRING_FIELDS = ["title", "text", "summary", "themeColor"] as const;
const JSON_FIELDS = ["facts", "sections", "potentialAction", "adaptiveCard", "template"] as const;
const SEMANTIC = ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"];

export function teamsWorkflowsTemplateSources(spec: TeamsWorkflowsTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of [...STRING_FIELDS, ...JSON_FIELDS]) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const teamsWorkflowsEscapeMode = (field: string): EscapeMode =>
  (JSON_FIELDS as readonly string[]).includes(field) ? "json" : "none";

type Rec = Record<string, unknown>;

function cardOf(templates: readonly CompiledTemplate[], ctx: TemplateContext, message: string): Rec {
  const r = (k: string) => lastNonEmpty(templates, `${SECTION}.${k}`, ctx);
  const whole = r("adaptiveCard") ?? r("template");
  if (whole) return parseJsonField(whole, `${SECTION}.adaptiveCard`, "object") as Rec;
  const body: Rec[] = [];
  const title = r("title")?.value.trim();
  if (title) {
    const block: Rec = { type: "TextBlock", text: title, size: "Large", weight: "Bolder", wrap: true };
    const color = r("themeColor")?.value.trim();
    if (color) block.color = SEMANTIC.includes(color) || /^#[0-9a-fA-F]{6}$/.test(color) ? color : "Default";
    body.push(block);
  }
  const text = r("text")?.value ?? message;
  if (text.trim()) body.push({ type: "TextBlock", text, wrap: true });
  const factsR = r("facts");
  const facts = factsR ? (parseJsonField(factsR, `${SECTION}.facts`, "array") as Rec[]) : [];
  const sectionsR = r("sections");
  for (const s of sectionsR ? (parseJsonField(sectionsR, `${SECTION}.sections`, "array") as Rec[]) : []) {
    if (Array.isArray(s.facts)) facts.push(...(s.facts as Rec[]));
  }
  if (facts.length) {
    body.push({
      type: "FactSet",
      facts: facts.map((f) => ({ title: String(f.name ?? f.title ?? ""), value: String(f.value ?? "") })),
    });
  }
  const card: Rec = {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.4",
    body,
  };
  const actionsR = r("potentialAction");
  const actions = (actionsR ? (parseJsonField(actionsR, `${SECTION}.potentialAction`, "array") as Rec[]) : [])
    .filter((a) => a["@type"] === "OpenUri")
    .map((a) => {
      const target = (a.targets as Rec[] | undefined)?.[0];
      return { type: "Action.OpenUrl", title: String(a.name ?? "Open"), url: String(target?.uri ?? "") };
    })
    .filter((a) => a.url);
  if (actions.length) card.actions = actions;
  return card;
}

export function renderTeamsWorkflows(input: RenderInput<TeamsWorkflowsServiceConfig>): TeamsWorkflowsCard {
  const own = input.templates.filter((t) => hasSection(t, `${SECTION}.`));
  const templates = own.length ? own : input.builtin();
  const message = lastNonEmpty(input.templates, "message", input.ctx)?.value ?? "";
  return { card: cardOf(templates, input.ctx, message) };
}
