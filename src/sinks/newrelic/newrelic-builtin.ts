// Built-in New Relic deployment markers: revision "<rollout> revision <n>" (with the first image), the event as the
// description, the revision's state as the changelog.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { NewrelicTemplateSpec } from "./newrelic-types.ts";

export function builtinNewrelicTemplate(p: TriggerPresentation): NewrelicTemplateSpec {
  return {
    revision:
      "{{rollout.metadata.name}} revision {{revision}}{{#each images}}{{#if @first}} ({{this}}){{/if}}{{/each}}",
    description: `${p.headline}: ${p.message}`,
    changelog: `${p.state}{{#each failedMetrics}}; {{name}} {{phase}}: {{condition}}{{/each}}`,
    user: "rollouts-notifier",
  };
}
