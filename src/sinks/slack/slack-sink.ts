// Slack sink (chat.postMessage / chat.update) with upstream notifications-engine delivery semantics:
//  - no groupingKey: every notification is a new message;
//  - groupingKey, no root yet for (channel, key): the message is posted and becomes the thread root — or, when
//    the template has a `threadRoot`, that is posted as the root and the message as its first reply;
//  - root exists: Post → reply in the thread; PostAndUpdate → reply in the thread and update the root with the
//    `threadRoot` (else the new message); Update → only update the root (likewise). notifyBroadcast sets
//    reply_broadcast on replies.
// Roots live in a SlackThreadStore (Redis in production), so threads survive restarts and span replicas.
//
// Exactly-once posting (the queue retries failed jobs; a worker can die mid-delivery):
//  1. Before posting, the journal records the plan (thread to reply in, root to update) and state "posting"
//     with a deadline (start + request timeout + margin). Retries reuse the recorded plan, so a retry never
//     turns a root post into a reply.
//  2. The post carries message metadata with the job id. Right after Slack answers, the journal records
//     "posted" with the ts; a retry skips the post. A definite rejection (API error, 429) clears the record.
//  3. A retry that finds "posting" past its deadline (worker died) or "unknown" (timeout/reset/5xx) reads the
//     channel history / thread replies since the attempt started and looks for the job id before posting
//     again. A "posting" record still within its deadline means another worker may be mid-post: transient error
//     with retryAfterMs = time left.
//  4. chat.update is idempotent and simply redone on retry.
//  5. A new thread from `threadRoot` is two posts: the root is journaled as its own job (`<jobId>/thread-root`,
//     same protocol, its own metadata job id), then the message's record gets the root's ts and drops
//     `rootPending` before the reply is posted. A retry resumes whichever post was interrupted, so it posts
//     neither a second root nor a second reply.
// Residual windows (documented in the report): Redis losing the journal write; a history read that cannot be
// done (missing channels:history/groups:history scope, >1000 newer messages) — the retry then posts again and
// logs a warning; two deliveries racing for the first root of the same group (the loser is a top-level message).
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../logger.ts";
import { blockedAddressDeliveryError } from "../delivery-errors.ts";
import type { HttpDispatchers } from "../http/http-dispatchers.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { slackCertainlyRejected, slackDeliveryError, slackErrorCode } from "./slack-errors.ts";
import {
  isSlackConversationId,
  normalizeSlackRecipient,
  planSlackMessage,
  type SlackPostPlan,
} from "./slack-message.ts";
import {
  deliveryMetadata,
  findPostedMessage,
  knownChannelId,
  resolveChannelId,
} from "./slack-post-recovery.ts";
import type { SlackPostRecord, SlackState } from "./slack-state.ts";
import type { SlackServiceConfig } from "./slack-types.ts";
import { createSlackWebClient, DEFAULT_SLACK_TIMEOUT_MS, slackApiUrl } from "./slack-web-client.ts";

/** Slack errors on chat.update meaning the root is gone: forget it so the group starts a new thread. */
const ROOT_GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);
const DEADLINE_MARGIN_MS = 5_000;
/** How long posts wait for a Redis replica to confirm their journal entry before going ahead without. */
export const UNREPLICATED_POST_AFTER_MS = 30_000;
const UNREPLICATED_RETRY_MS = 1_000;
/** Job id (journal key and message metadata) of the thread root posted from a delivery's `threadRoot`. */
export const THREAD_ROOT_JOB_SUFFIX = "/thread-root";

export interface SlackSinkOptions {
  state: SlackState;
  dispatchers: HttpDispatchers;
  logger: Logger;
  timeoutMs?: number;
  /** Let services from a namespace's self-service config reach private addresses (apiURL). */
  allowPrivateNetworks?: boolean;
  now?: () => number;
}

export class SlackSink implements Sink<SlackServiceConfig> {
  readonly type = "slack" as const;
  readonly #opts: SlackSinkOptions;
  readonly #clients = new Map<string, WebClient>();

  constructor(opts: SlackSinkOptions) {
    this.#opts = opts;
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  #timeoutMs(): number {
    return this.#opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  }

  #client(service: SlackServiceConfig, guarded: boolean): WebClient {
    const insecure = service.insecureSkipVerify === true;
    const key = JSON.stringify([service.name, service.token, slackApiUrl(service), insecure, guarded]);
    let client = this.#clients.get(key);
    if (!client) {
      client = createSlackWebClient(service, {
        dispatcher: this.#opts.dispatchers.get({
          insecureSkipVerify: insecure,
          blockPrivateAddresses: guarded,
        }),
        logger: this.#opts.logger,
        timeoutMs: this.#timeoutMs(),
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  async deliver(delivery: Delivery<SlackServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const channel = normalizeSlackRecipient(delivery.destination.recipient);
    const where = `slack service ${JSON.stringify(service.name)} channel ${JSON.stringify(delivery.destination.recipient)}`;
    if (!channel)
      throw new DeliveryError(`${where}: no channel given`, { transient: false, code: "no_channel" });
    const plan = planSlackMessage(delivery.notification, service, where);
    if (plan.ignoredIcon !== undefined) {
      this.#opts.logger.warn(
        { service: service.name, icon: plan.ignoredIcon },
        "slack icon is neither an emoji nor an http(s) URL; ignored",
      );
    }
    // Services from a namespace's self-service config may not point apiURL at private addresses (SSRF).
    const guarded = delivery.tenantNamespace !== undefined && !this.#opts.allowPrivateNetworks;
    const ctx: DeliveryContext = {
      service,
      channel,
      where,
      plan,
      jobId: delivery.jobId,
      logFields: {
        jobId: delivery.jobId,
        ...(delivery.about ?? {}),
        service: service.name,
        recipient: delivery.destination.recipient,
      },
      client: this.#client(service, guarded),
    };
    try {
      return await this.#deliverClaimed(ctx);
    } catch (err) {
      throw (
        blockedAddressDeliveryError(where, delivery.tenantNamespace, err) ?? slackDeliveryError(where, err)
      );
    }
  }

  /** One attempt per job at a time (a stalled job run again while its first attempt still runs waits). */
  async #deliverClaimed(ctx: DeliveryContext): Promise<DeliveryReceipt> {
    const claim = await this.#opts.state.claimAttempt(
      ctx.service.name,
      ctx.jobId,
      this.#timeoutMs() + DEADLINE_MARGIN_MS,
    );
    if ("heldForMs" in claim) {
      throw new DeliveryError(`${ctx.where}: job ${ctx.jobId} is being delivered by another attempt`, {
        transient: true,
        code: "in_flight",
        retryAfterMs: claim.heldForMs,
      });
    }
    try {
      return await this.#deliver(ctx);
    } finally {
      await claim.release().catch(() => {}); // a claim not released lapses after its ttl
    }
  }

  async #deliver(ctx: DeliveryContext): Promise<DeliveryReceipt> {
    const { state } = this.#opts;
    const { service, jobId } = ctx;
    let rec = await state.getPost(service.name, jobId);
    if (rec?.state === "done") return receipt(rec);
    if (!rec) rec = await this.#planDelivery(ctx);
    else if (rec.state === "posting" || rec.state === "unknown") {
      this.#checkNotInFlight(ctx, rec);
      // While the thread root is pending, the message itself was certainly not posted: nothing to look for.
      if (!rec.rootPending) rec = await this.#resume(ctx, rec);
    }
    if (rec.rootPending) {
      try {
        rec = await this.#postThreadRoot(ctx, rec);
      } catch (err) {
        // The root's own journal entry says whether it went out; the message itself certainly did not. A definite
        // rejection: plan afresh next time. Otherwise no in-flight wait for the message (the root has its own).
        if (slackCertainlyRejected(err)) await state.deletePost(service.name, jobId);
        else await state.putPost(service.name, jobId, { ...rec, state: "unknown", deadline: 0 });
        throw err;
      }
    }

    if (rec.state !== "posted") rec = await this.#post(ctx, rec);

    if (rec.becomesRoot && rec.ts && rec.channelId && ctx.plan.groupingKey) {
      await state.setThreadRootIfAbsent(service.name, ctx.channel, ctx.plan.groupingKey, {
        channelId: rec.channelId,
        ts: rec.ts,
      });
    }
    if (rec.updateTs) await this.#updateRoot(ctx, rec);
    rec = { ...rec, state: "done" };
    await state.putPost(service.name, jobId, rec);
    return receipt(rec);
  }

  /** First attempt: decide post/reply/update from the thread root in effect now, and journal it. */
  async #planDelivery(ctx: DeliveryContext): Promise<SlackPostRecord> {
    const { state } = this.#opts;
    const { plan, service, channel } = ctx;
    const root = plan.groupingKey
      ? await state.getThreadRoot(service.name, channel, plan.groupingKey)
      : undefined;
    const post = !root || plan.policy !== "Update";
    const now = this.#now();
    const rec: SlackPostRecord = {
      state: post ? "posting" : "posted",
      startedAt: now,
      deadline: now + this.#timeoutMs() + DEADLINE_MARGIN_MS,
      post,
    };
    const channelId =
      root?.channelId ?? (await knownChannelId(this.#opts.state, ctx.service.name, ctx.channel));
    if (channelId) rec.channelId = channelId;
    if (root) rec.threadTs = root.ts;
    if (!root && plan.groupingKey) {
      if (plan.threadRoot) rec.rootPending = true;
      else rec.becomesRoot = true;
    }
    if (root && plan.policy !== "Post") rec.updateTs = root.ts;
    await state.putPost(service.name, ctx.jobId, rec);
    return rec;
  }

  /**
   * Posts the template's `threadRoot` as the group's new thread root (exactly once, journaled as its own job) and
   * returns the message's record turned into a reply in that thread.
   */
  async #postThreadRoot(ctx: DeliveryContext, rec: SlackPostRecord): Promise<SlackPostRecord> {
    const { state } = this.#opts;
    const { service, plan } = ctx;
    if (!plan.threadRoot) return { ...rec, rootPending: false, becomesRoot: true };
    const rootCtx: DeliveryContext = {
      ...ctx,
      jobId: `${ctx.jobId}${THREAD_ROOT_JOB_SUFFIX}`,
      plan: { ...plan, content: plan.threadRoot, notifyBroadcast: false },
    };
    let sub = await state.getPost(service.name, rootCtx.jobId);
    if (!sub) {
      const now = this.#now();
      sub = { state: "posting", startedAt: now, deadline: 0, post: true, becomesRoot: true };
      if (rec.channelId) sub.channelId = rec.channelId;
    } else if (sub.state === "posting" || sub.state === "unknown") {
      sub = await this.#resume(rootCtx, sub);
    }
    if (sub.state !== "posted" && sub.state !== "done") sub = await this.#post(rootCtx, sub);
    if (!sub.ts || !sub.channelId) {
      throw new DeliveryError(`${ctx.where}: thread root of job ${ctx.jobId} has no ts`, {
        transient: true,
        code: "bad_state",
      });
    }
    const root = await state.setThreadRootIfAbsent(service.name, ctx.channel, plan.groupingKey, {
      channelId: sub.channelId,
      ts: sub.ts,
    });
    await state.putPost(service.name, rootCtx.jobId, { ...sub, state: "done" });
    const reply: SlackPostRecord = {
      ...rec,
      rootPending: false,
      threadTs: root.ts,
      channelId: root.channelId,
    };
    // Lost a race for the group's first root: ours stays a top-level message; behave as a later message.
    if (root.ts !== sub.ts && plan.policy !== "Post") reply.updateTs = root.ts;
    await state.putPost(service.name, ctx.jobId, reply);
    return reply;
  }

  #checkNotInFlight(ctx: DeliveryContext, rec: SlackPostRecord): void {
    const now = this.#now();
    if (rec.state === "posting" && now < rec.deadline) {
      throw new DeliveryError(`${ctx.where}: job ${ctx.jobId} is being posted by another attempt`, {
        transient: true,
        code: "in_flight",
        retryAfterMs: rec.deadline - now,
      });
    }
  }

  /** A previous attempt may have posted: wait for one still in flight, or look for our message. */
  async #resume(ctx: DeliveryContext, rec: SlackPostRecord): Promise<SlackPostRecord> {
    this.#checkNotInFlight(ctx, rec);
    const channelId = rec.channelId ?? (await this.#resolveChannelId(ctx));
    if (!channelId) {
      this.#opts.logger.warn(
        { ...ctx.logFields, channel: ctx.channel },
        "slack: cannot resolve the channel id to check whether an interrupted post went through; posting again may duplicate it",
      );
      return rec;
    }
    const found = await findPostedMessage(ctx.client, {
      channelId,
      jobId: ctx.jobId,
      startedAtMs: rec.startedAt,
      ...(rec.threadTs ? { threadTs: rec.threadTs } : {}),
    });
    if ("found" in found && found.found) {
      const posted: SlackPostRecord = { ...rec, state: "posted", ts: found.ts, channelId };
      await this.#opts.state.putPost(ctx.service.name, ctx.jobId, posted);
      this.#opts.logger.info(
        { ...ctx.logFields, ts: found.ts },
        "slack: interrupted post had gone through; not posting again",
      );
      return posted;
    }
    if ("unverifiable" in found) {
      this.#opts.logger.warn(
        { ...ctx.logFields, channel: ctx.channel, reason: found.unverifiable },
        "slack: cannot check whether an interrupted post went through; posting again may duplicate it",
      );
    }
    return { ...rec, channelId };
  }

  /**
   * Journals the post about to be made, on a replica too when Redis has a fail-over replica: a fail-over that lost
   * the entry would let the job run again with no trace of this post and post it twice. While the replica does not
   * confirm (a fail-over under way), the post waits (transient error); after UNREPLICATED_POST_AFTER_MS of no
   * confirmation (the replica is down, not failing over) it goes ahead with a warning.
   */
  async #journalBeforePost(ctx: DeliveryContext, inFlight: SlackPostRecord): Promise<void> {
    const { state } = this.#opts;
    const durability = await state.putPostDurably(ctx.service.name, ctx.jobId, inFlight);
    if (durability.replicated) return;
    if (durability.unconfirmedForMs < UNREPLICATED_POST_AFTER_MS) {
      // nothing was posted: the next attempt looks in history first (cheap) rather than wait for the deadline
      await state.putPost(ctx.service.name, ctx.jobId, { ...inFlight, state: "unknown", deadline: 0 });
      throw new DeliveryError(
        `${ctx.where}: job ${ctx.jobId} not posted: no Redis replica confirmed its journal entry (fail-over under way?)`,
        { transient: true, code: "journal_unreplicated", retryAfterMs: UNREPLICATED_RETRY_MS },
      );
    }
    this.#opts.logger.warn(
      { ...ctx.logFields, unconfirmedForMs: durability.unconfirmedForMs },
      "slack: no Redis replica has confirmed the post journal for a while; posting anyway (a fail-over now could repeat this post)",
    );
  }

  async #post(ctx: DeliveryContext, rec: SlackPostRecord): Promise<SlackPostRecord> {
    const { state } = this.#opts;
    const now = this.#now();
    const inFlight: SlackPostRecord = {
      ...rec,
      state: "posting",
      deadline: now + this.#timeoutMs() + DEADLINE_MARGIN_MS,
    };
    await this.#journalBeforePost(ctx, inFlight);
    const { plan } = ctx;
    const args: Record<string, unknown> = {
      // chat.postMessage takes a name ("alerts"/"#alerts") or an id; the answer tells us the id. Replies go to the
      // root's channel id; other posts use the recipient as configured (as upstream does).
      channel: rec.threadTs && rec.channelId ? rec.channelId : ctx.channel,
      ...plan.content,
      metadata: deliveryMetadata(ctx.jobId),
    };
    if (plan.username) args.username = plan.username;
    if (plan.icon_emoji) args.icon_emoji = plan.icon_emoji;
    if (plan.icon_url) args.icon_url = plan.icon_url;
    if (rec.threadTs) {
      args.thread_ts = rec.threadTs;
      if (plan.notifyBroadcast) args.reply_broadcast = true;
    }
    let res: { ts?: string; channel?: string };
    try {
      res = await ctx.client.chat.postMessage(
        args as unknown as Parameters<WebClient["chat"]["postMessage"]>[0],
      );
    } catch (err) {
      // Certainly not posted: forget the attempt (the next one plans afresh). Otherwise it may have been.
      if (slackCertainlyRejected(err)) await state.deletePost(ctx.service.name, ctx.jobId);
      else await state.putPost(ctx.service.name, ctx.jobId, { ...inFlight, state: "unknown", deadline: 0 });
      throw err;
    }
    if (!res.ts || !res.channel)
      throw new DeliveryError(`${ctx.where}: chat.postMessage answered without ts/channel`, {
        transient: true,
        code: "bad_response",
      });
    const posted: SlackPostRecord = { ...inFlight, state: "posted", ts: res.ts, channelId: res.channel };
    await state.putPost(ctx.service.name, ctx.jobId, posted);
    if (!isSlackConversationId(ctx.channel))
      await state.setChannelId(ctx.service.name, ctx.channel, res.channel);
    this.#opts.logger.debug(
      { ...ctx.logFields, channel: res.channel, ts: res.ts, thread: rec.threadTs },
      "slack message posted",
    );
    return posted;
  }

  #resolveChannelId(ctx: DeliveryContext): Promise<string | undefined> {
    return resolveChannelId(this.#opts.state, ctx.client, ctx.service.name, ctx.channel);
  }

  async #updateRoot(ctx: DeliveryContext, rec: SlackPostRecord): Promise<void> {
    const channel = rec.channelId ?? (await this.#resolveChannelId(ctx));
    if (!channel || !rec.updateTs) return;
    try {
      await ctx.client.chat.update({
        channel,
        ts: rec.updateTs,
        ...(ctx.plan.threadRoot ?? ctx.plan.content),
      } as unknown as Parameters<WebClient["chat"]["update"]>[0]);
    } catch (err) {
      const code = slackErrorCode(err);
      if (code !== undefined && ROOT_GONE.has(code) && ctx.plan.groupingKey) {
        await this.#opts.state.deleteThreadRoot(ctx.service.name, ctx.channel, ctx.plan.groupingKey);
        this.#opts.logger.warn(
          { ...ctx.logFields, channel: ctx.channel, code },
          "slack: thread root cannot be updated; the group starts a new thread next time",
        );
      }
      throw err;
    }
  }
}

interface DeliveryContext {
  service: SlackServiceConfig;
  channel: string;
  where: string;
  plan: SlackPostPlan;
  jobId: string;
  /** jobId, object, trigger, service, recipient: what every log line about the delivery carries. */
  logFields: Record<string, unknown>;
  client: WebClient;
}

function receipt(rec: SlackPostRecord): DeliveryReceipt {
  const ref = rec.ts ?? rec.updateTs;
  return ref ? { ref } : {};
}
