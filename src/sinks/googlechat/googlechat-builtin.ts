// Built-in Google Chat templates: a cardsV2 card per event (header with the headline and the Rollout, the revision's
// facts, the failed metrics), one thread per Rollout revision (threadKey "<namespace>/<rollout>/<revision>").
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { GoogleChatTemplateSpec } from "./googlechat-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const item = (label: string, text: string) => `{"decoratedText":{"topLabel":"${label}","text":"${text}"}}`;

export function builtinGoogleChatTemplate(p: TriggerPresentation): GoogleChatTemplateSpec {
  // JSON (a YAML subset): names, revisions and our wording are plain; cluster text goes through {{json …}}
  return {
    cardsV2:
      `[{"header":{"title":"${p.headline}","subtitle":"${REF} · revision {{revision}}"},` +
      `"sections":[{"widgets":[{"textParagraph":{"text":{{json statusMessage}} } },` +
      `${item("State", p.state)},${item("Strategy", "{{default strategy 'unknown'}}")}` +
      `{{#if step}},${item("Step", "{{step.index}}/{{step.total}}")}{{/if}}]}` +
      `{{#if failedMetrics}},{"header":"Failed metrics","widgets":[{{#each failedMetrics}}{{#if @index}},{{/if}}` +
      `{"decoratedText":{"topLabel":{{json name}},"text":{{json (print phase ": " condition)}} }}{{/each}}]}{{/if}}]}]`,
    threadKey: `${REF}/{{revision}}`,
  };
}
