// Built-in Webex messages: markdown with the event in bold, the message, the revision's state and failed metrics.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { WebexTemplateSpec } from "./webex-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

export function builtinWebexTemplate(p: TriggerPresentation): WebexTemplateSpec {
  return {
    markdown:
      `**${p.headline}** — \`${REF}\`\n\n${p.message}\n\nRevision {{revision}} · ${p.state}` +
      "{{#if failedMetrics}}\n\n{{#each failedMetrics}}- {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}{{/if}}",
  };
}
