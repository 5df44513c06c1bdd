// Finding a message we may already have posted: every post carries Slack message metadata
// {event_type: "rollouts_notifier_delivery", event_payload: {job_id}}; after an attempt that ended without an
// answer (worker killed, timeout, reset), the retry reads the channel history (or the thread's replies) since the
// attempt started and looks for that job id before posting again.
import type { WebClient } from "@slack/web-api";
import { slackErrorCode } from "./slack-errors.ts";
import { isSlackConversationId } from "./slack-message.ts";
import type { SlackChannelIds } from "./slack-state.ts";

export const DELIVERY_METADATA_EVENT = "rollouts_notifier_delivery";
/** Allowed clock difference between us and Slack when bounding the history read. */
const CLOCK_SKEW_SEC = 120;
const PAGE_LIMIT = 200;
const MAX_PAGES = 5;

export function deliveryMetadata(jobId: string): { event_type: string; event_payload: { job_id: string } } {
  return { event_type: DELIVERY_METADATA_EVENT, event_payload: { job_id: jobId } };
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { job_id?: unknown } };
}

export type RecoveryResult = { found: true; ts: string } | { found: false } | { unverifiable: string };

/** Slack errors that mean "this token cannot read that history": we cannot verify, not "try later". */
const CANNOT_READ = new Set([
  "missing_scope",
  "not_in_channel",
  "channel_not_found",
  "thread_not_found",
  "not_allowed_token_type",
]);

/**
 * Looks for our message by job id in `channelId` (or in the thread `threadTs`) since `startedAtMs`.
 * Transient lookup failures throw (the caller retries later rather than risk a duplicate).
 */
export async function findPostedMessage(
  client: WebClient,
  input: { channelId: string; threadTs?: string; jobId: string; startedAtMs: number },
): Promise<RecoveryResult> {
  const oldest = (Math.floor(input.startedAtMs / 1000) - CLOCK_SKEW_SEC).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let res: {
      messages?: HistoryMessage[];
      has_more?: boolean;
      response_metadata?: { next_cursor?: string };
    };
    try {
      const common = {
        channel: input.channelId,
        oldest,
        inclusive: true,
        include_all_metadata: true,
        limit: PAGE_LIMIT,
        ...(cursor ? { cursor } : {}),
      };
      res = input.threadTs
        ? await client.conversations.replies({ ...common, ts: input.threadTs })
        : await client.conversations.history(common);
    } catch (err) {
      const code = slackErrorCode(err);
      if (code !== undefined && CANNOT_READ.has(code)) return { unverifiable: code };
      throw err;
    }
    for (const m of res.messages ?? []) {
      if (
        m.ts &&
        m.metadata?.event_type === DELIVERY_METADATA_EVENT &&
        m.metadata.event_payload?.job_id === input.jobId
      ) {
        return { found: true, ts: m.ts };
      }
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return { found: false };
  }
  return { unverifiable: `more than ${MAX_PAGES * PAGE_LIMIT} messages since the attempt started` };
}

/** Finds a channel id by name through conversations.list (paginated); undefined when not visible to the token. */
export async function lookupChannelId(client: WebClient, name: string): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await client.conversations.list({
      types: "public_channel,private_channel",
      exclude_archived: true,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    const hit = res.channels?.find((c) => c.name === name);
    if (hit?.id) return hit.id;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The channel's id when it is one or was learnt before (no API call). */
export async function knownChannelId(
  state: Pick<SlackChannelIds, "getChannelId">,
  service: string,
  channel: string,
): Promise<string | undefined> {
  if (isSlackConversationId(channel)) return channel;
  return state.getChannelId(service, channel);
}

/** The channel's id, looked up by name when not known yet; undefined when the token cannot resolve it. */
export async function resolveChannelId(
  state: Pick<SlackChannelIds, "getChannelId" | "setChannelId">,
  client: WebClient,
  service: string,
  channel: string,
): Promise<string | undefined> {
  const known = await knownChannelId(state, service, channel);
  if (known) return known;
  try {
    const id = await lookupChannelId(client, channel);
    if (id) await state.setChannelId(service, channel, id);
    return id;
  } catch (err) {
    if (slackErrorCode(err) !== undefined) return undefined; // e.g. missing_scope: cannot resolve
    throw err;
  }
}
