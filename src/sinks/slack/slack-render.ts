// Renders the `slack:` sections of a trigger's templates into one SlackMessage (text falls back to the
// Slack-escaped `message`; attachments/blocks are JSON fitted to Slack's limits; threadRoot is an extension the
// built-in templates use). Escaping per field: text is Slack-escaped, attachments/blocks JSON- and Slack-escaped.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { lastNonEmpty, parseJsonField, truncateChars } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import { fitSlackAttachments, fitSlackBlocks, SLACK_MESSAGE_TEXT_MAX } from "./slack-blocks.ts";
import type { SlackMessage, SlackServiceConfig, SlackTemplateSpec } from "./slack-types.ts";

export function slackTemplateSources(spec: SlackTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "string") out.push([path, v]);
  };
  for (const k of ["text", "attachments", "blocks", "groupingKey", "username", "icon"] as const)
    add(k, spec[k]);
  const root = spec.threadRoot;
  if (root) for (const k of ["text", "attachments", "blocks"] as const) add(`threadRoot.${k}`, root[k]);
  return out;
}

export function slackEscapeMode(field: string): EscapeMode {
  if (field === "text" || field === "threadRoot.text") return "slack";
  if (/^(threadRoot\.)?(attachments|blocks)$/.test(field)) return "slack-json";
  return "none";
}

function renderSlackSections(templates: readonly CompiledTemplate[], ctx: TemplateContext): SlackMessage {
  const text = lastNonEmpty(templates, "slack.text", ctx) ?? lastNonEmpty(templates, "message", ctx, "slack");
  const attachmentsR = lastNonEmpty(templates, "slack.attachments", ctx);
  const blocksR = lastNonEmpty(templates, "slack.blocks", ctx);
  const msg: SlackMessage = { text: truncateChars(text?.value ?? "", SLACK_MESSAGE_TEXT_MAX) };
  if (blocksR) msg.blocks = fitSlackBlocks(parseJsonField(blocksR, "slack.blocks", "array") as unknown[]);
  if (attachmentsR) {
    msg.attachments = fitSlackAttachments(
      parseJsonField(attachmentsR, "slack.attachments", "array") as unknown[],
    );
  }
  for (const k of ["username", "icon", "groupingKey"] as const) {
    const r = lastNonEmpty(templates, `slack.${k}`, ctx);
    if (r) msg[k] = r.value.trim();
  }
  for (const t of templates) {
    if (t.spec.slack?.notifyBroadcast !== undefined) msg.notifyBroadcast = t.spec.slack.notifyBroadcast;
    if (t.spec.slack?.deliveryPolicy !== undefined) msg.deliveryPolicy = t.spec.slack.deliveryPolicy;
  }
  const rootText = lastNonEmpty(templates, "slack.threadRoot.text", ctx);
  const rootBlocks = lastNonEmpty(templates, "slack.threadRoot.blocks", ctx);
  const rootAttachments = lastNonEmpty(templates, "slack.threadRoot.attachments", ctx);
  if (rootText || rootBlocks || rootAttachments) {
    msg.threadRoot = { text: truncateChars(rootText?.value ?? msg.text, SLACK_MESSAGE_TEXT_MAX) };
    if (rootBlocks) {
      msg.threadRoot.blocks = fitSlackBlocks(
        parseJsonField(rootBlocks, "slack.threadRoot.blocks", "array") as unknown[],
      );
    }
    if (rootAttachments) {
      msg.threadRoot.attachments = fitSlackAttachments(
        parseJsonField(rootAttachments, "slack.threadRoot.attachments", "array") as unknown[],
      );
    }
  }
  return msg;
}

/** The templates' Slack message; the trigger's built-in one when they render nothing for Slack. */
export function renderSlack(input: RenderInput<SlackServiceConfig>): SlackMessage {
  const slack = renderSlackSections(input.templates, input.ctx);
  if (!slack.text.trim() && !slack.blocks?.length && !slack.attachments?.length) {
    return renderSlackSections(input.builtin(), input.ctx);
  }
  return slack;
}
