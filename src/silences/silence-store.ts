// Silences in Redis, shared by every process: `rn:{silences}` (id → silence JSON) and, per silence, what it held
// back (`rn:{silences}:held:<id>`, job id → a short record; keys in src/redis/keys.ts) for the expiry summary. The watcher matches against an
// in-memory copy refreshed every few seconds (and at once after its own writes), so planning stays synchronous.
// Every change bumps a version and is announced on a pub/sub channel: a process that follows the channel
// (silence-feed.ts) answers activeNow() from its copy while the feed vouches for it, else with one GET.
import { randomBytes } from "node:crypto";
import type { NotificationJob } from "../queue/notification-job.ts";
import { SILENCES_CHANGED_CHANNEL, silenceKeys } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { ObjectRef } from "../triggers/transition.ts";
import { buildSilence, isActive, type Silence, type SilenceRequest, SilenceRequestError } from "./silence.ts";

const KEY = silenceKeys.all;
const heldKey = silenceKeys.held;
export const summarizedKey = silenceKeys.summarized;
/** Silences kept (listed as expired) this long after they end. */
const KEEP_EXPIRED_MS = 7 * 24 * 3600_000;
const MAX_SILENCES = 1_000;
/** Held records kept per silence (the summary counts the rest). */
const MAX_HELD = 5_000;

export interface HeldNotification {
  jobId: string;
  trigger: string;
  object: ObjectRef;
  rollout?: ObjectRef;
  service: string;
  recipient: string;
  tenantNamespace?: string;
  /** First line of the rendered message. */
  headline: string;
  at: number;
}

export class SilenceStore {
  private cache: Silence[] = [];
  /** The version the cache was loaded at (silenceKeys.version); undefined = never loaded. */
  private cachedVersion: string | undefined;

  /**
   * Whether the copy is known to be current without asking Redis: set by a live change feed (silence-feed.ts)
   * once a reload that began after its subscription, and after the last change announced, has finished.
   */
  private vouched = false;
  /** Bumped whenever the copy stops being vouched for (a change announced, the feed lost): a reload that began
   * before it cannot vouch. */
  private epoch = 0;
  /** Whether a change feed is subscribed now (set by silence-feed.ts). */
  private feedLive = false;

  readonly redis: RedisClient;
  private readonly now: () => number;

  constructor(redis: RedisClient, now: () => number = Date.now) {
    this.redis = redis;
    this.now = now;
  }

  /** Reloads the in-memory copy the watcher matches against. */
  async refresh(): Promise<Silence[]> {
    const epoch = this.epoch;
    const [version, list] = await Promise.all([this.redis.get(silenceKeys.version), this.list()]);
    this.cache = list;
    this.cachedVersion = version ?? "";
    // read after the feed subscribed and after the last announced change: current until the next announcement
    if (this.feedLive && epoch === this.epoch) this.vouched = true;
    return this.cache;
  }

  /**
   * Active silences as Redis holds them now (delivery asks this right before sending: a silence created a moment
   * ago counts). From memory while a change feed vouches for the copy; otherwise one GET of the version, and a
   * reload when any process changed a silence since.
   */
  async activeNow(now = this.now()): Promise<Silence[]> {
    if (this.vouched) return this.active(now);
    const epoch = this.epoch;
    const version = (await this.redis.get(silenceKeys.version)) ?? "";
    if (version !== this.cachedVersion) await this.refresh();
    else if (this.feedLive && epoch === this.epoch) this.vouched = true;
    return this.active(now);
  }

  /** Active silences when the copy is vouched for by a live feed (no Redis read needed); undefined otherwise. */
  activeIfCurrent(now = this.now()): Silence[] | undefined {
    return this.vouched ? this.active(now) : undefined;
  }

  /** A change feed subscribed (true) or lost its subscription (false); see silence-feed.ts. */
  feedState(live: boolean): void {
    this.feedLive = live;
    this.invalidate();
  }

  /** Some process announced a change: the copy is not vouched for until it is read again. */
  invalidate(): void {
    this.epoch++;
    this.vouched = false;
  }

  private async changed(): Promise<void> {
    await this.redis.incr(silenceKeys.version);
    // this process's copy is stale from here, whatever the feed says
    this.invalidate();
    // every process following the channel reloads (Redis Cluster forwards a PUBLISH to every node)
    // (best effort: the version is bumped, and followers also reload every few seconds — silence-feed.ts)
    await this.redis.publish(SILENCES_CHANGED_CHANNEL, "changed").catch(() => 0);
    await this.refresh();
  }

  /** Active silences of the in-memory copy. */
  active(now = this.now()): Silence[] {
    return this.cache.filter((s) => isActive(s, now));
  }

  async list(): Promise<Silence[]> {
    const all = await this.redis.hgetall(KEY);
    return Object.values(all)
      .map((v) => JSON.parse(v) as Silence)
      .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Silence | undefined> {
    const v = await this.redis.hget(KEY, id);
    return v ? (JSON.parse(v) as Silence) : undefined;
  }

  async create(req: SilenceRequest, createdBy: string): Promise<Silence> {
    if ((await this.redis.hlen(KEY)) >= MAX_SILENCES)
      throw new SilenceRequestError(`at most ${MAX_SILENCES} silences: expire some first`);
    const silence = buildSilence(req, {
      id: randomBytes(6).toString("hex"),
      createdBy,
      now: this.now(),
    });
    await this.redis.hset(KEY, silence.id, JSON.stringify(silence));
    await this.changed();
    return silence;
  }

  /** Ends a silence now; false when there is none or it had ended. */
  async expire(id: string, by: string): Promise<Silence | undefined> {
    const s = await this.get(id);
    const now = this.now();
    if (!s || s.endsAt <= now) return undefined;
    s.endsAt = Math.max(s.startsAt, now);
    s.expiredBy = by;
    await this.redis.hset(KEY, id, JSON.stringify(s));
    await this.changed();
    return s;
  }

  /** Notes what a silence held back (idempotent per job id). */
  async hold(silenceId: string, jobs: NotificationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    if ((await this.redis.hlen(heldKey(silenceId))) >= MAX_HELD) {
      await this.redis.hincrby(`${heldKey(silenceId)}:over`, "n", jobs.length);
      return;
    }
    const fields: string[] = [];
    for (const job of jobs) {
      const rec: HeldNotification = {
        jobId: job.jobId,
        trigger: job.transition.trigger,
        object: job.transition.object,
        service: job.destination.service,
        recipient: job.destination.recipient,
        headline: (job.notification.message.split("\n")[0] ?? "").slice(0, 200),
        at: this.now(),
      };
      if (job.transition.rollout) rec.rollout = job.transition.rollout;
      if (job.tenantNamespace !== undefined) rec.tenantNamespace = job.tenantNamespace;
      fields.push(job.jobId, JSON.stringify(rec));
    }
    await this.redis.hset(heldKey(silenceId), ...fields);
  }

  async held(silenceId: string): Promise<{ held: HeldNotification[]; over: number }> {
    const [all, over] = await Promise.all([
      this.redis.hgetall(heldKey(silenceId)),
      this.redis.hget(`${heldKey(silenceId)}:over`, "n"),
    ]);
    return {
      held: Object.values(all)
        .map((v) => JSON.parse(v) as HeldNotification)
        .sort((a, b) => a.at - b.at || a.jobId.localeCompare(b.jobId)),
      over: Number(over ?? 0),
    };
  }

  async isSummarized(id: string): Promise<boolean> {
    return (await this.redis.exists(summarizedKey(id))) === 1;
  }

  async markSummarized(id: string): Promise<void> {
    await this.redis.set(summarizedKey(id), "1", "PX", KEEP_EXPIRED_MS * 2);
  }

  /** Forgets silences that ended more than a week ago, and what they held. */
  async prune(): Promise<number> {
    const now = this.now();
    let n = 0;
    for (const s of await this.list()) {
      if (s.endsAt + KEEP_EXPIRED_MS > now) continue;
      await this.redis.hdel(KEY, s.id);
      await this.redis.del(heldKey(s.id), `${heldKey(s.id)}:over`);
      n++;
    }
    return n;
  }
}
