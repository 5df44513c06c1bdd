// Built-in Teams Workflows templates: an Adaptive Card per event — title coloured by outcome (Good, Attention,
// Warning, Accent), the message, the revision's facts and the failed metrics.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { TeamsWorkflowsTemplateSpec } from "./teams-workflows-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const COLOR: Record<string, string> = {
  progress: "Accent",
  info: "Accent",
  success: "Good",
  paused: "Warning",
  warning: "Warning",
  failure: "Attention",
};
const fact = (name: string, value: string) => `{"name":"${name}","value":"${value}"}`;

export function builtinTeamsWorkflowsTemplate(p: TriggerPresentation): TeamsWorkflowsTemplateSpec {
  return {
    title: `${p.headline} — ${REF}`,
    text: p.message,
    summary: `${REF}: ${p.headline}`,
    themeColor: COLOR[p.outcome] ?? "Default",
    facts:
      `[${fact("Rollout", REF)},${fact("Revision", "{{revision}}")},${fact("State", p.state)},` +
      `${fact("Strategy", "{{default strategy 'unknown'}}")}` +
      `{{#if step}},${fact("Step", "{{step.index}}/{{step.total}}")}{{/if}}` +
      `{{#each failedMetrics}},${fact("Metric {{name}}", "{{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}")}{{/each}}]`,
  };
}
