// `replay --dry-run`/`--capture` view of a Slack delivery: the chat.postMessage arguments (without thread_ts: the
// sink sets it from the thread it keeps) plus the thread plan, from the sink's own planSlackMessage.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { planSlackMessage } from "./slack-message.ts";
import type { SlackServiceConfig } from "./slack-types.ts";

export interface SlackWirePayload {
  type: "slack";
  postMessage: {
    channel: string;
    text: string;
    blocks?: unknown[];
    attachments?: unknown[];
    username?: string;
    icon_emoji?: string;
    icon_url?: string;
  };
  thread?: {
    groupingKey: string;
    deliveryPolicy: string;
    notifyBroadcast: boolean;
    root?: { text: string; blocks?: unknown[]; attachments?: unknown[] };
  };
}

export function slackWirePayload(input: WirePayloadInput<SlackServiceConfig>): SlackWirePayload {
  const { service, destination, notification } = input;
  const where = `slack service ${JSON.stringify(service.name)} channel ${JSON.stringify(destination.recipient)}`;
  const plan = planSlackMessage(notification, service, where);
  const postMessage: SlackWirePayload["postMessage"] = {
    channel: destination.recipient,
    text: plan.content.text,
  };
  if (plan.content.blocks) postMessage.blocks = plan.content.blocks;
  if (plan.content.attachments) postMessage.attachments = plan.content.attachments;
  if (plan.username) postMessage.username = plan.username;
  if (plan.icon_emoji) postMessage.icon_emoji = plan.icon_emoji;
  if (plan.icon_url) postMessage.icon_url = plan.icon_url;
  const out: SlackWirePayload = { type: "slack", postMessage };
  if (plan.groupingKey) {
    out.thread = {
      groupingKey: plan.groupingKey,
      deliveryPolicy: plan.policy,
      notifyBroadcast: plan.notifyBroadcast,
    };
    if (plan.threadRoot) out.thread.root = plan.threadRoot;
  }
  return out;
}

/** Slack mrkdwn → plain: *bold*, `code`, <url|label>, &amp; escapes. */
function plainSlack(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/[*`]/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** e.g. `slack #deploys  [thread demo/canary-demo/2] ❌ Rollout canary-demo aborted — …` */
export function slackCaptureLine(c: CapturedPayload<SlackWirePayload>): string {
  const p = c.payload;
  const thread = p.thread ? `[thread ${p.thread.groupingKey}] ` : "";
  return `slack #${c.recipient.replace(/^#/, "")}  ${thread}${oneLine(plainSlack(p.postMessage.text))}`;
}
