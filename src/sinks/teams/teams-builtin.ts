// Built-in Teams (MessageCard) templates: title and colour by outcome, the message, the revision's facts.
import { OUTCOME_COLORS, type TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { TeamsTemplateSpec } from "./teams-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const fact = (name: string, value: string) => `{"name":"${name}","value":"${value}"}`;

export function builtinTeamsTemplate(p: TriggerPresentation): TeamsTemplateSpec {
  return {
    title: `${p.headline} — ${REF}`,
    text: p.message,
    summary: `${REF}: ${p.headline}`,
    themeColor: OUTCOME_COLORS[p.outcome].replace("#", ""),
    facts:
      `[${fact("Rollout", REF)},${fact("Revision", "{{revision}}")},${fact("State", p.state)},` +
      `${fact("Strategy", "{{default strategy 'unknown'}}")}` +
      `{{#if step}},${fact("Step", "{{step.index}}/{{step.total}}")}{{/if}}` +
      `{{#each failedMetrics}},${fact("Metric {{name}}", "{{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}")}{{/each}}]`,
  };
}
