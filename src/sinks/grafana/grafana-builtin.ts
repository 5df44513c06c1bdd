// Built-in Grafana annotations: one region per Rollout revision (`<namespace>/<rollout>/<revision>`), from the
// revision's first notification (the update) to its completion or abort (endsRegion), tagged with the Rollout and
// the revision after the recipient's tags. Each notification replaces the text: the revision's state, then the event.
// Scaling is a point annotation of its own (it also happens long after a revision completed, which it must not
// re-describe).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { GrafanaTemplateSpec } from "./grafana-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
export const GRAFANA_REGION = `${REF}/{{revision}}`;
/** The triggers that end a revision's region. */
const ENDS_REGION: ReadonlySet<string> = new Set(["on-rollout-completed", "on-rollout-aborted"]);
/** The triggers outside any region. */
const NO_REGION: ReadonlySet<string> = new Set(["on-scaling-replica-set"]);

export function builtinGrafanaTemplate(p: TriggerPresentation): GrafanaTemplateSpec {
  const spec: GrafanaTemplateSpec = {
    text:
      `${REF} revision {{revision}}{{#each images}}{{#if @first}} ({{this}}){{/if}}{{/each}}: ${p.state}\n` +
      `${p.headline}: ${p.message}` +
      "{{#each failedMetrics}}\n{{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}{{/each}}",
    tags: `rollout:${REF}|revision:{{revision}}`,
  };
  if (!NO_REGION.has(p.trigger)) spec.region = GRAFANA_REGION;
  if (ENDS_REGION.has(p.trigger)) spec.endsRegion = "true";
  return spec;
}
