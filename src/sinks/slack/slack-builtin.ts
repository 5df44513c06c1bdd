// Built-in Slack templates (Block Kit inside a coloured attachment). One thread per Rollout revision:
// groupingKey "<namespace>/<rollout>/<revision>", deliveryPolicy PostAndUpdate, `threadRoot` = the revision's
// current state (updated in place by the sink), the message itself = this event (a reply in the thread).
// `{{x}}` in these JSON templates is JSON- and Slack-escaped (escaping.ts), so cluster text is safe here.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { OUTCOME_COLORS } from "../../templates/builtin/trigger-presentation.ts";
import type { SlackTemplateSpec } from "./slack-types.ts";

/** Failed metrics listed individually (one section each); the rest are counted. Keeps messages < 50 blocks. */
export const MAX_LISTED_METRICS = 10;

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";

const textObj = (type: "mrkdwn" | "plain_text", text: string) => `{"type":"${type}","text":"${text}"}`;

const fieldsSection = () =>
  `{"type":"section","fields":[${[
    textObj("mrkdwn", `*Rollout*\\n\`${REF}\``),
    textObj("mrkdwn", "*Strategy*\\n{{default strategy 'unknown'}}"),
    textObj("mrkdwn", "*Revision*\\n{{default revision '?'}}"),
    `{{#if step}}${textObj("mrkdwn", "*Step*\\n{{step.index}}/{{step.total}}")},{{/if}}${textObj(
      "mrkdwn",
      "*Images*\\n{{#each images}}{{#unless @first}}\\n{{/unless}}`{{@key}}`: {{this}}{{else}}none{{/each}}",
    )}`,
  ].join(",")}]}`;

const contextLine = (extra = "") =>
  `{"type":"context","elements":[${textObj(
    "mrkdwn",
    `${REF} · revision {{revision}} · {{formatTime time 'datetime'}}${extra}`,
  )}]}`;

const failedMetricBlocks = () =>
  `{{#each failedMetrics}}{{#if (lt @index ${MAX_LISTED_METRICS})}},${`{"type":"section","text":${textObj(
    "mrkdwn",
    ":x: *{{name}}* {{phase}} · run `{{analysisRun}}`\\n" +
      "Measured: `{{default value 'no value'}}` · {{condition}}" +
      "\\nMeasurements: {{count}} ({{failed}} failed, {{error}} errors, {{inconclusive}} inconclusive)" +
      "{{#if message}}\\n>{{truncate message 1000}}{{/if}}",
  )}}`}{{/if}}{{/each}}` +
  `{{#if (gt (len failedMetrics) ${MAX_LISTED_METRICS})}},${contextLineRaw(
    `…and {{sub (len failedMetrics) ${MAX_LISTED_METRICS}}} more failed metrics`,
  )}{{/if}}`;

function contextLineRaw(text: string): string {
  return `{"type":"context","elements":[${textObj("mrkdwn", text)}]}`;
}

/** Root message: the revision's current state. */
function rootAttachments(p: TriggerPresentation): string {
  const header = `{"type":"header","text":{"type":"plain_text","emoji":true,"text":"${p.emoji} ${"{{rollout.metadata.name}}"} revision {{revision}}: ${p.state}"}}`;
  const blocks = [header, fieldsSection(), contextLine(" · last event: {{trigger}}")];
  const statusLine = `{{#if statusMessage}},${contextLineRaw("{{truncate statusMessage 1500}}")}{{/if}}`;
  return `[{"color":"${OUTCOME_COLORS[p.outcome]}","blocks":[${blocks.join(",")}${statusLine}]}]`;
}

/** Thread reply: this event. */
function eventAttachments(p: TriggerPresentation): string {
  const headline = `{"type":"section","text":${textObj("mrkdwn", `${p.emoji} *${p.headline}*`)}}`;
  const statusLine =
    p.outcome === "failure" || p.outcome === "warning" || p.outcome === "paused"
      ? `{{#if statusMessage}},{"type":"section","text":${textObj("mrkdwn", ">{{truncate statusMessage 2500}}")}}{{/if}}`
      : "";
  const metrics = p.showsFailedMetrics ? failedMetricBlocks() : "";
  return `[{"color":"${OUTCOME_COLORS[p.outcome]}","blocks":[${headline}${statusLine}${metrics},${contextLine()}]}]`;
}

export function builtinSlackTemplate(p: TriggerPresentation): SlackTemplateSpec {
  return {
    text: p.message,
    attachments: eventAttachments(p),
    groupingKey: "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}/{{revision}}",
    deliveryPolicy: "PostAndUpdate",
    threadRoot: {
      text: `${p.emoji} Rollout ${REF} revision {{revision}}: ${p.state}`,
      attachments: rootAttachments(p),
    },
  };
}
