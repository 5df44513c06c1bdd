// What a Slack delivery posts (pure): chat.postMessage / chat.update arguments from the rendered notification and
// the service defaults, with upstream's rules (template username/icon over service ones; an icon is an emoji when
// it looks like ":name:", a URL when it is http(s), otherwise ignored with a warning).

import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { SlackServiceConfig } from "./slack-types.ts";

export type SlackDeliveryPolicy = "Post" | "PostAndUpdate" | "Update";

/** The message content shared by chat.postMessage and chat.update. */
export interface SlackMessageContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface SlackPostPlan {
  content: SlackMessageContent;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  groupingKey: string;
  notifyBroadcast: boolean;
  policy: SlackDeliveryPolicy;
  /**
   * What the group's thread root shows (template `threadRoot`; only with a groupingKey): posted as the root of a
   * new thread (the message then becomes its first reply) and used for the root's chat.update.
   */
  threadRoot?: SlackMessageContent;
  /** Set when the icon was neither an emoji nor an http(s) URL (logged, not fatal — upstream does the same). */
  ignoredIcon?: string;
}

const EMOJI = /^:.+:$/;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}

/** "#alerts" and "alerts" name the same channel; ids (C…/G…/D…) pass through. */
export function normalizeSlackRecipient(recipient: string): string {
  const name = recipient.trim().replace(/^#/, "").trim();
  // channel names are lower case in Slack; conversation and user ids are kept exactly
  return /^[CGDUW][A-Z0-9]{6,}$/.test(name) ? name : name.toLowerCase();
}

/** Whether a recipient is a conversation id rather than a name. */
export function isSlackConversationId(recipient: string): boolean {
  return /^[CGD][A-Z0-9]{6,}$/.test(recipient);
}

export function planSlackMessage(
  notification: Notification,
  service: SlackServiceConfig,
  where: string,
): SlackPostPlan {
  const slack = notification.slack;
  const content = messageContent(
    { ...slack, text: slack?.text || notification.message || "" },
    where,
    "the message",
  );
  const policy = slack?.deliveryPolicy ?? "Post";
  if (policy !== "Post" && policy !== "PostAndUpdate" && policy !== "Update") {
    throw invalid(where, `deliveryPolicy ${JSON.stringify(policy)} is not Post, PostAndUpdate or Update`);
  }
  const plan: SlackPostPlan = {
    content,
    groupingKey: slack?.groupingKey ?? "",
    notifyBroadcast: slack?.notifyBroadcast === true,
    policy,
  };
  if (slack?.threadRoot && plan.groupingKey) {
    plan.threadRoot = messageContent(slack.threadRoot, where, "threadRoot");
  }
  const username = slack?.username || service.username;
  if (username) plan.username = username;
  const icon = slack?.icon || service.icon;
  if (icon) {
    if (EMOJI.test(icon)) plan.icon_emoji = icon;
    else if (isHttpUrl(icon)) plan.icon_url = icon;
    else plan.ignoredIcon = icon;
  }
  return plan;
}

function messageContent(
  src: { text?: string; blocks?: unknown; attachments?: unknown },
  where: string,
  what: string,
): SlackMessageContent {
  const content: SlackMessageContent = { text: src.text ?? "" };
  const prefix = what === "the message" ? "" : `${what} `;
  if (src.blocks !== undefined) {
    if (!Array.isArray(src.blocks)) throw invalid(where, `${prefix}blocks must be a JSON array`);
    if (src.blocks.length > 0) content.blocks = src.blocks;
  }
  if (src.attachments !== undefined) {
    if (!Array.isArray(src.attachments)) throw invalid(where, `${prefix}attachments must be a JSON array`);
    if (src.attachments.length > 0) content.attachments = src.attachments;
  }
  if (!content.text && !content.blocks && !content.attachments) {
    throw invalid(where, `${what} has no text, blocks or attachments`);
  }
  return content;
}

function invalid(where: string, what: string): DeliveryError {
  return new DeliveryError(`${where}: ${what}`, { transient: false, code: "invalid_message" });
}
