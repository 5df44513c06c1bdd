// Built-in Rocket.Chat messages: the event as text, an attachment coloured by outcome with the message, the
// revision's state and the failed metrics.
import { OUTCOME_COLORS, type TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { RocketChatTemplateSpec } from "./rocketchat-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

export function builtinRocketChatTemplate(p: TriggerPresentation): RocketChatTemplateSpec {
  return {
    text: `${p.emoji} *${p.headline}* — ${REF}`,
    attachments:
      `[{"color":"${OUTCOME_COLORS[p.outcome]}","title":"${p.headline}","text":"${p.message}",` +
      `"fields":[{"short":true,"title":"Revision","value":"{{revision}}"},` +
      `{"short":true,"title":"State","value":"${p.state}"}` +
      `{{#each failedMetrics}},{"short":false,"title":"{{name}} {{phase}}","value":"{{condition}}{{#if value}} (value {{value}}){{/if}}"}{{/each}}]}]`,
  };
}
