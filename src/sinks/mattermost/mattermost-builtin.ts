// Built-in Mattermost posts (Slack-compatible message attachments, coloured by outcome). One thread per Rollout
// revision: groupingKey "<namespace>/<rollout>/<revision>", deliveryPolicy PostAndUpdate, `threadRoot` = the
// revision's current state (its root post, updated in place), the post itself = this event (a reply in the thread).
// `{{x}}` in the attachments is JSON-escaped, so cluster text cannot break the document.
import { OUTCOME_COLORS, type TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { MattermostTemplateSpec } from "./mattermost-types.ts";

/** Failed metrics listed individually; the rest are counted. */
export const MAX_LISTED_METRICS = 10;

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

const field = (title: string, value: string, short = true) =>
  `{"short":${short},"title":"${title}","value":"${value}"}`;

const revisionFields = () =>
  [
    field("Rollout", `\`${REF}\``),
    field("Strategy", "{{default strategy 'unknown'}}"),
    field("Revision", "{{default revision '?'}}"),
  ].join(",") +
  `{{#if step}},${field("Step", "{{step.index}}/{{step.total}}")}{{/if}},` +
  field(
    "Images",
    "{{#each images}}{{#unless @first}}\\n{{/unless}}`{{@key}}`: {{this}}{{else}}none{{/each}}",
    false,
  );

const failedMetricFields = () =>
  `{{#each failedMetrics}}{{#if (lt @index ${MAX_LISTED_METRICS})}},${field(
    ":x: {{name}} {{phase}}",
    "run `{{analysisRun}}` · measured `{{default value 'no value'}}` · {{condition}}\\n" +
      "{{count}} measurements ({{failed}} failed, {{error}} errors, {{inconclusive}} inconclusive)" +
      "{{#if message}}\\n{{truncate message 1000}}{{/if}}",
    false,
  )}{{/if}}{{/each}}` +
  `{{#if (gt (len failedMetrics) ${MAX_LISTED_METRICS})}},${field(
    "More failed metrics",
    `{{sub (len failedMetrics) ${MAX_LISTED_METRICS}}} more`,
    false,
  )}{{/if}}`;

const footer = (extra = "") =>
  `"footer":"${REF} · revision {{revision}} · {{formatTime time 'datetime'}}${extra}"`;

/** Root post: the revision's current state. */
function rootAttachments(p: TriggerPresentation): string {
  return (
    `[{"color":"${OUTCOME_COLORS[p.outcome]}","fallback":"{{rollout.metadata.name}} revision {{revision}}: ${p.state}",` +
    `"title":"${p.emoji} {{rollout.metadata.name}} revision {{revision}}: ${p.state}",` +
    `"text":"{{#if statusMessage}}{{truncate statusMessage 1500}}{{/if}}",` +
    `"fields":[${revisionFields()}],${footer(" · last event: {{trigger}}")}}]`
  );
}

/** Thread reply: this event. */
function eventAttachments(p: TriggerPresentation): string {
  const status =
    p.outcome === "failure" || p.outcome === "warning" || p.outcome === "paused"
      ? "{{#if statusMessage}}{{truncate statusMessage 2500}}{{/if}}"
      : "";
  const metrics = p.showsFailedMetrics ? failedMetricFields() : "";
  return (
    `[{"color":"${OUTCOME_COLORS[p.outcome]}","fallback":"${p.headline}","title":"${p.emoji} ${p.headline}",` +
    `"text":"${status}","fields":[${field("Rollout", `\`${REF}\``)}${metrics}],${footer()}}]`
  );
}

export function builtinMattermostTemplate(p: TriggerPresentation): MattermostTemplateSpec {
  return {
    attachments: eventAttachments(p),
    groupingKey: "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}/{{revision}}",
    deliveryPolicy: "PostAndUpdate",
    threadRoot: {
      message: `${p.emoji} Rollout ${REF} revision {{revision}}: ${p.state}`,
      attachments: rootAttachments(p),
    },
  };
}
