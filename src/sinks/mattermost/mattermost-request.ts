// What a Mattermost delivery sends (pure): the API v4 URLs, the POST /api/v4/posts body (as upstream:
// {channel_id, message, props: {attachments}}; plus root_id for replies, and the job id as a post property and a
// pending_post_id so a retried post can be recognised), the PUT /api/v4/posts/{id}/patch body for a root update,
// and the thread plan from the rendered post.
import { createHash } from "node:crypto";
import type { Notification } from "../../templates/notification.ts";
import type { ThreadPlan } from "../common/thread-poster.ts";
import { DeliveryError } from "../sink.ts";
import type { MattermostContent, MattermostServiceConfig } from "./mattermost-types.ts";

/** Mattermost's limit on a post's message (PostMessageMaxRunesV2). */
export const MATTERMOST_MAX_MESSAGE = 16383;
/** The post property carrying the delivery's job id (found again after an interrupted attempt). */
export const JOB_ID_PROP = "rollouts_notifier_job_id";
const MAX_RECIPIENT = 64;

export interface MattermostCreatePost {
  channel_id: string;
  message: string;
  root_id?: string;
  pending_post_id?: string;
  props: { attachments: unknown[]; [JOB_ID_PROP]?: string };
}

export interface MattermostPatchPost {
  message: string;
  props: { attachments: unknown[]; [key: string]: unknown };
}

export function mattermostApi(service: Pick<MattermostServiceConfig, "apiURL">, path: string): string {
  return `${service.apiURL.replace(/\/+$/, "")}/api/v4/${path}`;
}

/** A recipient as written, without surrounding spaces (other whitespace makes it invalid). */
export const normalizeMattermostRecipient = (recipient: string) => recipient.replace(/^ +| +$/g, "");

/** Why a recipient cannot be posted to: Mattermost takes channel ids (26 letters and digits), one word. */
export function mattermostRecipientProblem(recipient: string): string | undefined {
  if (/^[#@~]/.test(recipient))
    return "a recipient is a channel id (View Info in the channel's menu), not a channel or user name";
  if (!/^[A-Za-z0-9_-]+$/.test(recipient))
    return "a recipient is a channel id: letters, digits, - and _ only";
  if (recipient.length > MAX_RECIPIENT) return `a recipient is at most ${MAX_RECIPIENT} characters`;
  return undefined;
}

/**
 * Mattermost deduplicates creates carrying the same pending_post_id for a short while (30 s in its server): the
 * same id on every attempt of a job (26 characters, like its own ids).
 */
export function pendingPostId(jobId: string): string {
  return createHash("sha256").update(jobId).digest("hex").slice(0, 26);
}

function checkContent(c: MattermostContent, where: string, what: string): void {
  if (!c.message.trim() && !c.attachments?.length)
    throw invalid(where, `${what} has no message or attachments`);
  if (Array.from(c.message).length > MATTERMOST_MAX_MESSAGE)
    throw new DeliveryError(`${where}: ${what} is over ${MATTERMOST_MAX_MESSAGE} characters`, {
      transient: false,
      code: "message_too_large",
    });
}

/** The thread plan of a rendered notification (a `message` alone when the template has no Mattermost part). */
export function planMattermostPost(
  notification: Notification,
  recipient: string,
  where: string,
): ThreadPlan<MattermostContent> {
  const problem = mattermostRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const part = notification.mattermost ?? { message: notification.message };
  const content: MattermostContent = { message: part.message };
  if (part.attachments !== undefined) {
    if (!Array.isArray(part.attachments)) throw invalid(where, "attachments must be a JSON array");
    if (part.attachments.length) content.attachments = part.attachments;
  }
  checkContent(content, where, "the post");
  const plan: ThreadPlan<MattermostContent> = {
    content,
    groupingKey: part.groupingKey ?? "",
    policy: part.deliveryPolicy ?? "Post",
  };
  if (!["Post", "PostAndUpdate", "Update"].includes(plan.policy))
    throw invalid(
      where,
      `deliveryPolicy ${JSON.stringify(plan.policy)} is not Post, PostAndUpdate or Update`,
    );
  if (part.threadRoot && plan.groupingKey) {
    checkContent(part.threadRoot, where, "threadRoot");
    plan.threadRoot = part.threadRoot;
  }
  return plan;
}

/** The create body; `jobId` marks it (a post property and its pending_post_id). */
export function mattermostCreatePost(
  channelId: string,
  content: MattermostContent,
  opts: { jobId?: string; rootId?: string } = {},
): MattermostCreatePost {
  const body: MattermostCreatePost = {
    channel_id: channelId,
    message: content.message,
    props: { attachments: content.attachments ?? [] },
  };
  if (opts.rootId) body.root_id = opts.rootId;
  if (opts.jobId) {
    body.pending_post_id = pendingPostId(opts.jobId);
    body.props[JOB_ID_PROP] = opts.jobId;
  }
  return body;
}

/**
 * The patch body updating a root post in place: its message and attachments. A patch replaces `props` whole, so the
 * post's other properties (`current`) are carried over.
 */
export function mattermostPatchPost(
  content: MattermostContent,
  current: Record<string, unknown>,
): MattermostPatchPost {
  return { message: content.message, props: { ...current, attachments: content.attachments ?? [] } };
}

function invalid(where: string, what: string): DeliveryError {
  return new DeliveryError(`${where}: ${what}`, { transient: false, code: "invalid_message" });
}
