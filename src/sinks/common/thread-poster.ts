// Posting to a chat service with upstream's grouping semantics (notifications-engine Slack `groupingKey` /
// `deliveryPolicy`), exactly once across retries — for any chat API that can post, reply under a root post,
// update a post, and list a channel's recent posts with a marker of ours. The type supplies those calls
// (`ThreadPosterApi`); the thread roots and the journal are the common thread state (thread-state.ts).
//
//  - no groupingKey: every notification is a new post;
//  - groupingKey, no root yet for (channel, key): the post becomes the thread root — or, when the plan has a
//    `threadRoot`, that is posted as the root and the message as its first reply;
//  - root exists: Post → reply under the root; PostAndUpdate → reply and update the root with `threadRoot` (else
//    the message); Update → only update the root (likewise).
//
// Exactly once (the queue retries failed jobs; a worker can die mid-delivery):
//  1. Before posting, the journal records the plan (root to reply under, root to update) and state "posting" with
//     a deadline (start + request timeout + margin). Retries reuse the recorded plan, so a retry never turns a
//     root post into a reply.
//  2. The post carries the job id (the type puts it where its API keeps it, e.g. a post property). Right after the
//     answer the journal records "posted" with the post's id; a retry skips the post. A definite rejection (an
//     error answer) clears the record: nothing was posted.
//  3. A retry that finds "posting" past its deadline (worker died) or "unknown" (timeout, reset, 5xx) asks the type
//     to find a post carrying its job id since the attempt started before posting again. "posting" still within
//     its deadline means another worker may be mid-post: transient `in_flight` error, retry after the time left.
//  4. Updating the root is idempotent and simply redone on retry. A root that is gone (the type says which errors
//     mean that) is forgotten so the group starts a new thread: an update of it fails with the type's error, a
//     reply refused under it is a transient error (retried as the new thread's first post).
//  5. A new thread from `threadRoot` is two posts: the root is journaled as its own job (`<jobId>/thread-root`,
//     same protocol, its own job id marker), then the message's record gets the root's id and drops `rootPending`
//     before the reply is posted. A retry resumes whichever post was interrupted.
//  6. One attempt per job at a time: an attempt claims the job (lapsing after the request deadline); a second
//     attempt of the same job (a stalled job run again) gets a transient `in_flight` error.
//  7. Behind a Redis replica (Sentinel) the entry written before a post waits for the replica to have it, so a
//     fail-over cannot lose it; while none confirms, the post waits (transient `journal_unreplicated`), and after
//     30 s without any confirmation it goes ahead with a warning (docs/redis.md).
// Residual windows (at least once): Redis losing a journal write (one server without persistence, or no replica
// confirming for 30 s); a lookup that cannot be done (the type says
// why: missing permission, too many newer posts) — the retry then posts again and logs a warning; two deliveries
// racing for the first root of the same group (the loser stays a top-level post).
import type { Logger } from "../../logger.ts";
import { DeliveryError, type DeliveryReceipt } from "../sink.ts";
import type { ThreadState } from "./thread-state.ts";

export type DeliveryPolicy = "Post" | "PostAndUpdate" | "Update";

/** A group's root post. */
export interface ThreadRoot {
  channelId: string;
  id: string;
}

/** One delivery's progress (the journal record). */
export interface ThreadPostRecord {
  /**
   * posting: a post is (or was, if the worker died) in flight until `deadline`; unknown: the last attempt ended
   * without knowing whether the service took it; posted: it did (`postId`), or there was nothing to post; done:
   * every step finished.
   */
  state: "posting" | "unknown" | "posted" | "done";
  /** ms since epoch the first attempt started: lower bound for finding our post. */
  startedAt: number;
  /** ms since epoch after which an in-flight attempt has certainly ended. */
  deadline: number;
  /** Whether this delivery posts at all (false: Update of an existing root). */
  post: boolean;
  channelId?: string;
  /** Root this post replies under (absent: a top-level post). */
  rootId?: string;
  /** Whether the post becomes the group's thread root. */
  becomesRoot?: boolean;
  /** The group has no root yet and the plan has a `threadRoot`: that is posted first (its own job). */
  rootPending?: boolean;
  /** Root to update after posting. */
  updateId?: string;
  /** Id of our post. */
  postId?: string;
}

export type ThreadPosterState = ThreadState<ThreadRoot, ThreadPostRecord>;

export interface ThreadPlan<C> {
  content: C;
  /** "" = no grouping. */
  groupingKey: string;
  policy: DeliveryPolicy;
  /** What the group's root shows (only with a groupingKey). */
  threadRoot?: C;
}

export type PostLookup = { found: string } | { notFound: true } | { unverifiable: string };

/** The chat API calls a type supplies. Errors it throws are DeliveryErrors (or what `certainlyRejected` reads). */
export interface ThreadPosterApi<C> {
  /** Posts `content` (under `rootId` when given) carrying `jobId`; the new post's id and its channel's id. */
  post(input: {
    jobId: string;
    content: C;
    /** The root to reply under (absent: a top-level post). */
    rootId?: string;
    /** The channel's id when known (always with `rootId`: the root's channel). */
    channelId?: string;
    isRoot: boolean;
  }): Promise<{ id: string; channelId: string }>;
  /** Looks for a post carrying `jobId` since `sinceMs` (under `rootId` when given). Transient failures throw. */
  find(input: { jobId: string; channelId: string; rootId?: string; sinceMs: number }): Promise<PostLookup>;
  /** Replaces the root's content (idempotent). */
  update(input: { channelId: string; id: string; content: C }): Promise<void>;
  /** The channel's id without an API call, when known. */
  knownChannelId(): Promise<string | undefined>;
  /** The channel's id, looked up when needed; undefined when it cannot be. */
  resolveChannelId(): Promise<string | undefined>;
  /** Whether an error means the service certainly did not take the post (an error answer, not a timeout). */
  certainlyRejected(err: unknown): boolean;
  /** Whether an update's error means the root is gone (the group then starts a new thread next time). */
  rootGone(err: unknown): boolean;
}

export interface ThreadPosterOptions {
  state: ThreadPosterState;
  logger: Logger;
  /** Request timeout of one API call: bounds how long an attempt can be in flight. */
  timeoutMs: number;
  now?: () => number;
}

export interface ThreadDelivery<C> {
  /** Service name (state is kept per service). */
  service: string;
  /** The recipient as configured, normalised (state is kept per channel). */
  channel: string;
  jobId: string;
  /** Names the service and recipient in errors. */
  where: string;
  /** The type's name, for log lines. */
  type: string;
  logFields: Record<string, unknown>;
  plan: ThreadPlan<C>;
  api: ThreadPosterApi<C>;
}

const DEADLINE_MARGIN_MS = 5_000;
/** How long posts wait for a Redis replica to confirm their journal entry before going ahead without. */
export const UNREPLICATED_POST_AFTER_MS = 30_000;
const UNREPLICATED_RETRY_MS = 1_000;
/** Job id (journal key and job id marker) of the thread root posted from a delivery's `threadRoot`. */
export const THREAD_ROOT_JOB_SUFFIX = "/thread-root";

export class ThreadPoster {
  readonly #opts: ThreadPosterOptions;

  constructor(opts: ThreadPosterOptions) {
    this.#opts = opts;
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  #deadline(): number {
    return this.#now() + this.#opts.timeoutMs + DEADLINE_MARGIN_MS;
  }

  /** One attempt per job at a time (a stalled job run again while its first attempt still runs waits). */
  async deliver<C>(d: ThreadDelivery<C>): Promise<DeliveryReceipt> {
    const claim = await this.#state(d, () =>
      this.#opts.state.claimAttempt(d.service, d.jobId, this.#opts.timeoutMs + DEADLINE_MARGIN_MS),
    );
    if ("heldForMs" in claim) {
      throw new DeliveryError(`${d.where}: job ${d.jobId} is being delivered by another attempt`, {
        transient: true,
        code: "in_flight",
        retryAfterMs: claim.heldForMs,
      });
    }
    try {
      return await this.#deliver(d);
    } finally {
      await claim.release().catch(() => {}); // a claim not released lapses after its ttl
    }
  }

  async #deliver<C>(d: ThreadDelivery<C>): Promise<DeliveryReceipt> {
    const { state } = this.#opts;
    let rec = await this.#state(d, () => state.getPost(d.service, d.jobId));
    if (rec?.state === "done") return receipt(rec);
    if (!rec) rec = await this.#planDelivery(d);
    else if (rec.state === "posting" || rec.state === "unknown") {
      this.#checkNotInFlight(d, rec);
      // While the thread root is pending, the message itself was certainly not posted: nothing to look for.
      if (!rec.rootPending) rec = await this.#resume(d, rec);
    }
    if (rec.rootPending) {
      try {
        rec = await this.#postThreadRoot(d, rec);
      } catch (err) {
        // The root's own record says whether it went out; the message itself certainly did not.
        if (d.api.certainlyRejected(err)) await this.#state(d, () => state.deletePost(d.service, d.jobId));
        else await this.#put(d, d.jobId, { ...rec, state: "unknown", deadline: 0 });
        throw err;
      }
    }
    if (rec.state !== "posted") rec = await this.#post(d, rec);
    if (rec.becomesRoot && rec.postId && rec.channelId && d.plan.groupingKey) {
      const root = { channelId: rec.channelId, id: rec.postId };
      await this.#state(d, () => state.setThreadRootIfAbsent(d.service, d.channel, d.plan.groupingKey, root));
    }
    if (rec.updateId) await this.#updateRoot(d, rec);
    rec = { ...rec, state: "done" };
    await this.#put(d, d.jobId, rec);
    return receipt(rec);
  }

  /** First attempt: decide post/reply/update from the thread root in effect now, and journal it. */
  async #planDelivery<C>(d: ThreadDelivery<C>): Promise<ThreadPostRecord> {
    const { plan } = d;
    const root = plan.groupingKey
      ? await this.#state(d, () => this.#opts.state.getThreadRoot(d.service, d.channel, plan.groupingKey))
      : undefined;
    const post = !root || plan.policy !== "Update";
    const rec: ThreadPostRecord = {
      state: post ? "posting" : "posted",
      startedAt: this.#now(),
      deadline: this.#deadline(),
      post,
    };
    const channelId = root?.channelId ?? (await d.api.knownChannelId());
    if (channelId) rec.channelId = channelId;
    if (root) rec.rootId = root.id;
    if (!root && plan.groupingKey) {
      if (plan.threadRoot) rec.rootPending = true;
      else rec.becomesRoot = true;
    }
    if (root && plan.policy !== "Post") rec.updateId = root.id;
    await this.#put(d, d.jobId, rec);
    return rec;
  }

  /** Posts the plan's `threadRoot` as the group's new root (its own job) and turns the message into its reply. */
  async #postThreadRoot<C>(d: ThreadDelivery<C>, rec: ThreadPostRecord): Promise<ThreadPostRecord> {
    const { plan } = d;
    if (!plan.threadRoot) return { ...rec, rootPending: false, becomesRoot: true };
    const rootDelivery: ThreadDelivery<C> = {
      ...d,
      jobId: `${d.jobId}${THREAD_ROOT_JOB_SUFFIX}`,
      plan: { ...plan, content: plan.threadRoot },
    };
    let sub = await this.#state(d, () => this.#opts.state.getPost(d.service, rootDelivery.jobId));
    if (!sub) {
      sub = { state: "posting", startedAt: this.#now(), deadline: 0, post: true, becomesRoot: true };
      if (rec.channelId) sub.channelId = rec.channelId;
    } else if (sub.state === "posting" || sub.state === "unknown") {
      sub = await this.#resume(rootDelivery, sub);
    }
    if (sub.state !== "posted" && sub.state !== "done") sub = await this.#post(rootDelivery, sub);
    const { postId, channelId } = sub;
    if (!postId || !channelId) {
      throw new DeliveryError(`${d.where}: thread root of job ${d.jobId} has no id`, {
        transient: true,
        code: "bad_state",
      });
    }
    const root = await this.#state(d, () =>
      this.#opts.state.setThreadRootIfAbsent(d.service, d.channel, plan.groupingKey, {
        channelId,
        id: postId,
      }),
    );
    await this.#put(d, rootDelivery.jobId, { ...sub, state: "done" });
    const reply: ThreadPostRecord = {
      ...rec,
      rootPending: false,
      rootId: root.id,
      channelId: root.channelId,
    };
    // Lost a race for the group's first root: ours stays a top-level post; behave as a later message.
    if (root.id !== postId && plan.policy !== "Post") reply.updateId = root.id;
    await this.#put(d, d.jobId, reply);
    return reply;
  }

  #checkNotInFlight<C>(d: ThreadDelivery<C>, rec: ThreadPostRecord): void {
    const now = this.#now();
    if (rec.state === "posting" && now < rec.deadline) {
      throw new DeliveryError(`${d.where}: job ${d.jobId} is being posted by another attempt`, {
        transient: true,
        code: "in_flight",
        retryAfterMs: rec.deadline - now,
      });
    }
  }

  /** A previous attempt may have posted: wait for one still in flight, or look for our post. */
  async #resume<C>(d: ThreadDelivery<C>, rec: ThreadPostRecord): Promise<ThreadPostRecord> {
    this.#checkNotInFlight(d, rec);
    const channelId = rec.channelId ?? (await d.api.resolveChannelId());
    if (!channelId) {
      this.#opts.logger.warn(
        { ...d.logFields, channel: d.channel },
        `${d.type}: cannot resolve the channel id to check whether an interrupted post went through; posting again may duplicate it`,
      );
      return rec;
    }
    const found = await d.api.find({
      channelId,
      jobId: d.jobId,
      sinceMs: rec.startedAt,
      ...(rec.rootId ? { rootId: rec.rootId } : {}),
    });
    if ("found" in found) {
      const posted: ThreadPostRecord = { ...rec, state: "posted", postId: found.found, channelId };
      await this.#put(d, d.jobId, posted);
      this.#opts.logger.info(
        { ...d.logFields, postId: found.found },
        `${d.type}: interrupted post had gone through; not posting again`,
      );
      return posted;
    }
    if ("unverifiable" in found) {
      this.#opts.logger.warn(
        { ...d.logFields, channel: d.channel, reason: found.unverifiable },
        `${d.type}: cannot check whether an interrupted post went through; posting again may duplicate it`,
      );
    }
    return { ...rec, channelId };
  }

  async #post<C>(d: ThreadDelivery<C>, rec: ThreadPostRecord): Promise<ThreadPostRecord> {
    const inFlight: ThreadPostRecord = { ...rec, state: "posting", deadline: this.#deadline() };
    await this.#journalBeforePost(d, inFlight);
    let res: { id: string; channelId: string };
    try {
      res = await d.api.post({
        jobId: d.jobId,
        content: d.plan.content,
        isRoot: rec.becomesRoot === true,
        ...(rec.rootId ? { rootId: rec.rootId } : {}),
        ...(rec.channelId ? { channelId: rec.channelId } : {}),
      });
    } catch (err) {
      // Certainly not posted: forget the attempt (the next one plans afresh). Otherwise it may have been.
      if (d.api.certainlyRejected(err))
        await this.#state(d, () => this.#opts.state.deletePost(d.service, d.jobId));
      else await this.#put(d, d.jobId, { ...inFlight, state: "unknown", deadline: 0 });
      if (rec.rootId && d.plan.groupingKey && d.api.rootGone(err)) throw await this.#forgetRoot(d, err);
      throw err;
    }
    const posted: ThreadPostRecord = {
      ...inFlight,
      state: "posted",
      postId: res.id,
      channelId: res.channelId,
    };
    await this.#put(d, d.jobId, posted);
    this.#opts.logger.debug(
      { ...d.logFields, channel: res.channelId, postId: res.id, root: rec.rootId },
      `${d.type} message posted`,
    );
    return posted;
  }

  /**
   * Journals the post about to be made, on a replica too when Redis has a fail-over replica: a fail-over that lost
   * the entry would let the job run again with no trace of this post and post it twice. While the replica does not
   * confirm (a fail-over under way), the post waits (transient error); after UNREPLICATED_POST_AFTER_MS of no
   * confirmation (the replica is down, not failing over) it goes ahead with a warning.
   */
  async #journalBeforePost<C>(d: ThreadDelivery<C>, inFlight: ThreadPostRecord): Promise<void> {
    const { state } = this.#opts;
    const durability = await this.#state(d, () => state.putPostDurably(d.service, d.jobId, inFlight));
    if (durability.replicated) return;
    if (durability.unconfirmedForMs < UNREPLICATED_POST_AFTER_MS) {
      // nothing was posted: the next attempt looks for the post first (cheap) rather than wait for the deadline
      await this.#put(d, d.jobId, { ...inFlight, state: "unknown", deadline: 0 });
      throw new DeliveryError(
        `${d.where}: job ${d.jobId} not posted: no Redis replica confirmed its journal entry (fail-over under way?)`,
        { transient: true, code: "journal_unreplicated", retryAfterMs: UNREPLICATED_RETRY_MS },
      );
    }
    this.#opts.logger.warn(
      { ...d.logFields, unconfirmedForMs: durability.unconfirmedForMs },
      `${d.type}: no Redis replica has confirmed the post journal for a while; posting anyway (a fail-over now could repeat this post)`,
    );
  }

  async #updateRoot<C>(d: ThreadDelivery<C>, rec: ThreadPostRecord): Promise<void> {
    const channelId = rec.channelId ?? (await d.api.resolveChannelId());
    if (!channelId || !rec.updateId) return;
    try {
      await d.api.update({ channelId, id: rec.updateId, content: d.plan.threadRoot ?? d.plan.content });
    } catch (err) {
      // The update fails for good (the type's error, e.g. permanent); the group starts a new thread next time.
      if (d.api.rootGone(err) && d.plan.groupingKey) await this.#forgetRoot(d, err);
      throw err;
    }
  }

  /**
   * The group's root is gone (deleted, no longer editable): forget it so the group starts a new thread. A reply
   * refused for that reason was not posted: the returned error lets the queue retry it, as a new thread (an
   * update's caller throws the type's own error instead).
   */
  async #forgetRoot<C>(d: ThreadDelivery<C>, cause: unknown): Promise<DeliveryError> {
    await this.#state(d, () => this.#opts.state.deleteThreadRoot(d.service, d.channel, d.plan.groupingKey));
    this.#opts.logger.warn(
      { ...d.logFields, channel: d.channel },
      `${d.type}: the thread root is gone; the group starts a new thread`,
    );
    return new DeliveryError(`${d.where}: the thread root is gone; retried as a new thread`, {
      transient: true,
      code: "thread_root_gone",
      retryAfterMs: 0,
      cause,
    });
  }

  #put<C>(d: ThreadDelivery<C>, jobId: string, rec: ThreadPostRecord): Promise<void> {
    return this.#state(d, () => this.#opts.state.putPost(d.service, jobId, rec));
  }

  /** A state (Redis) failure is transient: the retry resumes from the journal. */
  async #state<C, T>(d: ThreadDelivery<C>, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw new DeliveryError(`${d.where}: thread state unavailable`, {
        transient: true,
        code: "state_unavailable",
        cause: err,
      });
    }
  }
}

function receipt(rec: ThreadPostRecord): DeliveryReceipt {
  const ref = rec.postId ?? rec.updateId;
  return ref ? { ref } : {};
}
