// Built-in email templates: one thread per Rollout revision (threadKey "<namespace>/<rollout>/<revision>", the same
// subject for every email of the revision so mail clients that thread by subject agree), a plain-text body with
// the event, the revision's state and the failed metrics.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { EmailTemplateSpec } from "./email-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

export function builtinEmailTemplate(p: TriggerPresentation): EmailTemplateSpec {
  return {
    subject: `[Argo Rollouts] ${REF} revision {{revision}}`,
    threadKey: `${REF}/{{revision}}`,
    body:
      `${p.headline}\n\n${p.message}\n\n` +
      `Rollout:  ${REF}\nRevision: {{revision}}\nState:    ${p.state}\nStrategy: {{default strategy 'unknown'}}\n` +
      "{{#if step}}Step:     {{step.index}}/{{step.total}}\n{{/if}}" +
      "Images:   {{#each images}}{{#unless @first}}, {{/unless}}{{@key}}={{this}}{{else}}none{{/each}}\n" +
      "{{#if statusMessage}}Message:  {{statusMessage}}\n{{/if}}" +
      "{{#if failedMetrics}}\nFailed metrics:\n{{#each failedMetrics}}- {{name}} {{phase}}" +
      "{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}{{/if}}" +
      "\nSent by rollouts-notifier at {{time}}.\n",
  };
}
