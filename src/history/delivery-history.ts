// Delivery history in Redis, for the operator console: per Rollout its latest transitions, each transition's
// notifications (rendered message, destination, where it ended) and each notification's attempts (time,
// outcome, status code, latency, the remote's answer excerpt, redacted). Bounded three ways: per Rollout the last
// `transitionsPerRollout` transitions, every key expires after `maxAgeMs`, and at most `maxRollouts` Rollouts are
// kept (the least recently active are dropped). Writes are fire-and-forget scripts (src/history/lua, one command each),
// gathered (per tick, or over `writeWindowMs`) and sent together: the history never holds up or fails a delivery (a write that fails
// is counted and logged, the delivery goes on).

import type { Logger } from "../logger.ts";
import type { NotificationJob } from "../queue/notification-job.ts";
import { BatchedScript } from "../redis/batched-script.ts";
import { historyKeys } from "../redis/keys.ts";
import { LuaScript } from "../redis/lua-script.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { ObjectRef, Transition } from "../triggers/transition.ts";
import { redactText } from "./redact-text.ts";

export type NotificationOutcome =
  | "queued"
  | "retrying"
  | "delivered"
  | "dead-letter"
  | "silenced"
  | "suppressed"
  | "purged";

export interface AttemptRecord {
  at: number;
  attempt: number;
  outcome: "delivered" | "failed";
  code?: string;
  statusCode?: number;
  /** Duration of the attempt (ms), when known. */
  latencyMs?: number;
  /** The remote's answer (error message or receipt), redacted and cut to `answerExcerptChars`. */
  answer?: string;
}

export interface NotificationRecord {
  jobId: string;
  transitionId: string;
  trigger: string;
  object: ObjectRef;
  rollout?: ObjectRef;
  service: string;
  recipient: string;
  tenantNamespace?: string;
  /** The rendered plain-text message (cut to `messageChars`). */
  message: string;
  outcome: NotificationOutcome;
  /** Why it ended there (silence id and comment, dead-letter reason, duplicate...). */
  detail?: string;
  updatedAt: number;
  attempts: AttemptRecord[];
}

export interface TransitionRecord {
  id: string;
  trigger: string;
  object: ObjectRef;
  rollout?: ObjectRef;
  revision?: string;
  detail?: string;
  detectedAt: number;
  jobIds: string[];
}

export interface RolloutSummary {
  namespace: string;
  name: string;
  lastAt: number;
  latest: TransitionRecord[];
}

export interface ServiceCounts {
  service: string;
  delivered: number;
  failed: number;
}

export interface HistorySettings {
  transitionsPerRollout: number;
  maxAgeMs: number;
  maxRollouts: number;
  messageChars?: number;
  answerExcerptChars?: number;
  maxAttemptsKept?: number;
  /**
   * Writes made within this many milliseconds go to Redis together (one pipeline, one socket write for several
   * records; nobody waits on them in the service). 0: those of one tick (a caller that awaits each write).
   */
  writeWindowMs?: number;
}

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = {
  transitionsPerRollout: 50,
  maxAgeMs: 7 * 24 * 3600_000,
  maxRollouts: 2_000,
};

/** A hand-off in one command (see the script's header). */
const RECORD_HAND_OFF = LuaScript.load(new URL("./lua/record-hand-off.lua", import.meta.url));
/** An attempt and/or where a notification stands, in one command: this runs for every attempt. */
const RECORD_OUTCOME = LuaScript.load(new URL("./lua/record-outcome.lua", import.meta.url), 3);
const MINUTE = 60_000;
const STATS_TTL_S = 2 * 3600;

/** ns/name of the Rollout a record belongs to (the object itself when it has no Rollout). */
function rolloutKeyOf(object: ObjectRef, rollout?: ObjectRef): string {
  const r = rollout ?? object;
  return `${r.namespace}/${r.name}`;
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export class DeliveryHistory {
  readonly settings: Required<HistorySettings>;
  /** Writes that failed (Redis down): the history is best effort, deliveries are not affected. */
  writeErrors = 0;

  readonly redis: RedisClient;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  /** The per-attempt writes of a tick go to Redis together (one round trip for many deliveries). */
  private readonly outcomes: BatchedScript;
  private readonly handOffs: BatchedScript;

  constructor(
    redis: RedisClient,
    settings: Partial<HistorySettings> = {},
    logger?: Logger,
    now: () => number = Date.now,
  ) {
    this.redis = redis;
    this.logger = logger;
    this.now = now;
    this.settings = {
      messageChars: 2_000,
      answerExcerptChars: 300,
      maxAttemptsKept: 20,
      writeWindowMs: 0,
      ...DEFAULT_HISTORY_SETTINGS,
      ...settings,
    };
    const batching = { windowMs: this.settings.writeWindowMs };
    this.outcomes = new BatchedScript(RECORD_OUTCOME, redis, batching);
    this.handOffs = new BatchedScript(RECORD_HAND_OFF, redis, batching);
  }

  private ttlS(): number {
    return Math.max(1, Math.ceil(this.settings.maxAgeMs / 1000));
  }

  private settle(p: Promise<unknown>): Promise<void> {
    return p.then(
      () => undefined,
      (err: unknown) => {
        this.writeErrors++;
        this.logger?.debug({ err: (err as Error).message }, "delivery history write failed");
      },
    );
  }

  /**
   * Records transitions and what became of their notifications at hand-off: queued, silenced (with the silence),
   * or suppressed (enqueued before: a repeat of the same transition). Idempotent per transition and job id.
   */
  recordHandOff(
    transitions: Transition[],
    jobs: { job: NotificationJob; outcome: NotificationOutcome; detail?: string }[],
  ): Promise<void> {
    const now = this.now();
    const byTransition = new Map<string, string[]>();
    for (const { job } of jobs) {
      const list = byTransition.get(job.transition.id) ?? [];
      list.push(job.jobId);
      byTransition.set(job.transition.id, list);
    }
    const keys: string[] = [historyKeys.rollouts];
    const args: (string | number)[] = [
      now,
      now - this.settings.maxAgeMs,
      this.settings.maxRollouts,
      this.ttlS(),
      this.settings.transitionsPerRollout,
      transitions.length,
    ];
    for (const t of transitions) {
      const rec: TransitionRecord = {
        id: t.id,
        trigger: t.trigger,
        object: t.object,
        detectedAt: now,
        jobIds: byTransition.get(t.id) ?? [],
      };
      if (t.rollout) rec.rollout = t.rollout;
      if (t.revision !== undefined) rec.revision = t.revision;
      if (t.detail !== undefined) rec.detail = t.detail;
      const rk = rolloutKeyOf(t.object, t.rollout);
      keys.push(historyKeys.transition(t.id), historyKeys.rolloutTransitions(rk));
      args.push(JSON.stringify(rec), t.id, rk);
    }
    args.push(jobs.length);
    for (const { job, outcome, detail } of jobs) {
      const rec: NotificationRecord = {
        jobId: job.jobId,
        transitionId: job.transition.id,
        trigger: job.transition.trigger,
        object: job.transition.object,
        service: job.destination.service,
        recipient: job.destination.recipient,
        message: cut(job.notification.message, this.settings.messageChars),
        outcome,
        updatedAt: now,
        attempts: [],
      };
      if (job.transition.rollout) rec.rollout = job.transition.rollout;
      if (job.tenantNamespace !== undefined) rec.tenantNamespace = job.tenantNamespace;
      if (detail !== undefined) rec.detail = detail;
      // a repeat ("suppressed") keeps the first record and its outcome; only noted when there is none
      keys.push(historyKeys.notification(job.jobId));
      args.push(JSON.stringify(rec), outcome === "suppressed" ? 1 : 0);
    }
    return this.settle(this.handOffs.run(keys, args));
  }

  /** Records a notification enqueued outside a hand-off (a silence's summary). */
  recordQueued(job: NotificationJob, detail: string): Promise<void> {
    return this.recordHandOff([], [{ job, outcome: "queued", detail }]);
  }

  /**
   * One attempt of a notification and where it stands after it; `count` also counts it for the overview's
   * per-service figures (same round trip).
   */
  recordAttempt(
    jobId: string,
    attempt: AttemptRecord,
    outcome: NotificationOutcome,
    detail?: string,
    count?: { service: string; what: "delivered" | "failed" },
  ): Promise<void> {
    const a = { ...attempt };
    if (a.answer !== undefined) a.answer = cut(redactText(a.answer), this.settings.answerExcerptChars);
    return this.setOutcome(jobId, outcome, detail, a, count);
  }

  /** Where a notification ended without an attempt of its own (dead-lettered after the last, retried by hand). */
  setOutcome(
    jobId: string,
    outcome: NotificationOutcome,
    detail?: string,
    attempt?: AttemptRecord,
    count?: { service: string; what: "delivered" | "failed" },
  ): Promise<void> {
    const minute = Math.floor(this.now() / MINUTE);
    return this.settle(
      this.outcomes.run(
        [historyKeys.notification(jobId), historyKeys.attempts(jobId), historyKeys.stats(minute)],
        [
          attempt ? JSON.stringify(attempt) : "",
          this.settings.maxAttemptsKept,
          this.ttlS(),
          outcome,
          this.now(),
          detail ?? "",
          count ? `${count.service}\u0000${count.what}` : "",
          STATS_TTL_S,
        ],
      ),
    );
  }

  /** Sends the writes still gathered and waits for them (before the connection is closed). */
  async flush(): Promise<void> {
    await Promise.all([this.handOffs.flush(), this.outcomes.flush()]);
  }

  // --- reads ------------------------------------------------------------------------------------------
  // Each first sends the writes still gathered and waits for those under way (a script Redis did not know yet is
  // sent again after its batch's answer), so the console reads what was written before (a purge, then the page
  // that shows it).

  async serviceCounts(windowMs = 3600_000): Promise<ServiceCounts[]> {
    await this.flush();
    const last = Math.floor(this.now() / MINUTE);
    const first = Math.floor((this.now() - windowMs) / MINUTE) + 1;
    const p = this.redis.pipeline();
    for (let m = first; m <= last; m++) p.hgetall(historyKeys.stats(m));
    const results = (await p.exec()) ?? [];
    const counts = new Map<string, ServiceCounts>();
    for (const [err, value] of results) {
      if (err || !value) continue;
      for (const [field, n] of Object.entries(value as Record<string, string>)) {
        const [service, what] = field.split("\u0000") as [string, "delivered" | "failed"];
        const c = counts.get(service) ?? { service, delivered: 0, failed: 0 };
        c[what] += Number(n);
        counts.set(service, c);
      }
    }
    return [...counts.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  /** Rollouts with activity, most recent first, each with its latest `latest` transitions. */
  async rollouts(opts: { limit?: number; latest?: number } = {}): Promise<RolloutSummary[]> {
    await this.flush();
    const limit = Math.min(opts.limit ?? 200, 1_000);
    const entries = await this.redis.zrevrange(historyKeys.rollouts, 0, limit - 1, "WITHSCORES");
    const pending: Promise<RolloutSummary>[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const [namespace, name] = entries[i]!.split("/") as [string, string];
      const lastAt = Number(entries[i + 1]);
      pending.push(
        this.transitionsOf(namespace, name, opts.latest ?? 3).then((latest) => ({
          namespace,
          name,
          lastAt,
          latest,
        })),
      );
    }
    return Promise.all(pending);
  }

  async transitionsOf(namespace: string, name: string, limit?: number): Promise<TransitionRecord[]> {
    await this.flush();
    const n = Math.min(limit ?? this.settings.transitionsPerRollout, this.settings.transitionsPerRollout);
    const ids = await this.redis.lrange(historyKeys.rolloutTransitions(`${namespace}/${name}`), 0, n - 1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => historyKeys.transition(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as TransitionRecord);
  }

  async notification(jobId: string): Promise<NotificationRecord | undefined> {
    await this.flush();
    const [h, attempts] = await Promise.all([
      this.redis.hgetall(historyKeys.notification(jobId)),
      this.redis.lrange(historyKeys.attempts(jobId), 0, -1),
    ]);
    if (!h.meta) return undefined;
    const rec = JSON.parse(h.meta) as NotificationRecord;
    if (h.outcome) rec.outcome = h.outcome as NotificationOutcome;
    if (h.updatedAt) rec.updatedAt = Number(h.updatedAt);
    if (h.detail !== undefined) {
      if (h.detail === "") delete rec.detail;
      else rec.detail = h.detail;
    }
    rec.attempts = attempts.map((a) => JSON.parse(a) as AttemptRecord);
    return rec;
  }

  /** A Rollout's timeline: its transitions, newest first, each with its notifications and their attempts. */
  async timeline(
    namespace: string,
    name: string,
  ): Promise<(TransitionRecord & { notifications: NotificationRecord[] })[]> {
    const transitions = await this.transitionsOf(namespace, name);
    return Promise.all(
      transitions.map(async (t) => ({
        ...t,
        notifications: (await Promise.all(t.jobIds.map((id) => this.notification(id)))).filter(
          (n): n is NotificationRecord => n !== undefined,
        ),
      })),
    );
  }
}
