// The in-process queue for the demo and replay (no Redis): same interface and the same semantics as the
// durable one (idempotent job ids, order per key while the head retries, other keys independent, retries
// with backoff/Retry-After, per-destination rate limits, dead letters) — but nothing survives the process.
// Callers say so in their logs.
import { callHook, deliverOnce, deliveryEvent, resolveDeliveryTarget } from "./delivery-attempt.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import { type NotificationJob, validateNotificationJob } from "./notification-job.ts";
import {
  type DeadLetter,
  type DeadLetterOps,
  type DeliveryOptions,
  type EnqueueResult,
  type NotificationQueue,
  type SettledReport,
  SettleTimeoutError,
} from "./notification-queue.ts";
import { defaultRateLimitFor, gcraTake, rateLimitKey } from "./rate-limit.ts";
import { decideAfterFailure, resolveRetryPolicy } from "./retry-policy.ts";

type State = "queued" | "delivered" | "dead" | "purged";

interface JobEntry {
  state: State;
  job: NotificationJob;
  attempts: number;
  enqueuedAt: number;
  firstAttemptAt?: number;
}

export class InMemoryNotificationQueue implements NotificationQueue, DeadLetterOps {
  readonly durable = false;
  private readonly opts: DeliveryOptions;
  private readonly policy;
  private readonly concurrency: number;
  private readonly entries = new Map<string, JobEntry>();
  /** Queued job ids per ordering key, in enqueue order; only the head is worked on. */
  private readonly lanes = new Map<string, string[]>();
  /** Keys that are ready to run, running, or waiting on a timer (each key is in exactly one of those). */
  private readonly busyKeys = new Set<string>();
  private readonly readyKeys: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rateTat = new Map<string, number>();
  private readonly deadLetters = new Map<string, DeadLetter>();
  private waiters: (() => void)[] = [];
  private running = 0;
  private closed = false;

  constructor(opts: DeliveryOptions) {
    this.opts = opts;
    this.policy = resolveRetryPolicy(opts.retry);
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
  }

  async enqueue(jobs: NotificationJob[]): Promise<EnqueueResult> {
    for (const job of jobs) validateNotificationJob(job);
    if (this.closed) throw new Error("in-memory notification queue is closed");
    const result: EnqueueResult = { enqueued: [], duplicates: [] };
    for (const job of jobs) {
      if (this.entries.has(job.jobId)) {
        result.duplicates.push(job.jobId);
        continue;
      }
      const copy = structuredClone(job); // what the durable queue would have serialized
      this.entries.set(job.jobId, { state: "queued", job: copy, attempts: 0, enqueuedAt: Date.now() });
      this.append(copy.orderingKey, copy.jobId);
      result.enqueued.push(job.jobId);
    }
    return result;
  }

  async waitUntilSettled(jobIds: string[], opts: { timeoutMs?: number } = {}): Promise<SettledReport> {
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
    for (;;) {
      const report: SettledReport = { delivered: [], deadLettered: [], unknown: [] };
      const pending: string[] = [];
      for (const id of jobIds) {
        const s = this.entries.get(id)?.state;
        if (s === "delivered") report.delivered.push(id);
        else if (s === "dead" || s === "purged") report.deadLettered.push(id);
        else if (s === undefined) report.unknown.push(id);
        else pending.push(id);
      }
      if (pending.length === 0) return report;
      if (this.closed) {
        throw new Error(`in-memory queue closed with ${pending.length} notification(s) not delivered`);
      }
      await this.nextChange(deadline, pending, opts.timeoutMs ?? 0);
    }
  }

  async onIdle(): Promise<void> {
    await this.waitUntilSettled([...this.entries.keys()]);
  }

  /** Stops scheduling; waits for deliveries in flight. Queued jobs are dropped (this queue is not durable). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.running > 0) await this.nextChange(undefined, [], 0);
    this.notify();
  }

  // --- dead letters ----------------------------------------------------------------------------------

  async listDeadLetters(): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()].sort((a, b) => a.deadLetteredAt - b.deadLetteredAt);
  }

  async countDeadLetters(): Promise<number> {
    return this.deadLetters.size;
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const letter = this.deadLetters.get(id);
    const entry = this.entries.get(id);
    if (!letter || !entry || this.closed) return false;
    this.deadLetters.delete(id);
    entry.state = "queued";
    entry.attempts = 0;
    delete entry.firstAttemptAt;
    this.append(entry.job.orderingKey, id);
    return true;
  }

  async retryAllDeadLetters(): Promise<number> {
    let n = 0;
    for (const l of await this.listDeadLetters()) if (await this.retryDeadLetter(l.id)) n++;
    return n;
  }

  async purgeDeadLetter(id: string): Promise<boolean> {
    if (!this.deadLetters.delete(id)) return false;
    const e = this.entries.get(id);
    if (e) e.state = "purged";
    this.notify();
    return true;
  }

  async purgeDeadLetters(): Promise<number> {
    const n = this.deadLetters.size;
    for (const id of this.deadLetters.keys()) {
      const e = this.entries.get(id);
      if (e) e.state = "purged";
    }
    this.deadLetters.clear();
    this.notify();
    return n;
  }

  // --- scheduling --------------------------------------------------------------------------------------

  private append(key: string, jobId: string): void {
    const lane = this.lanes.get(key) ?? [];
    lane.push(jobId);
    this.lanes.set(key, lane);
    this.markReady(key);
  }

  private markReady(key: string): void {
    if (this.busyKeys.has(key)) return;
    this.busyKeys.add(key);
    this.readyKeys.push(key);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.readyKeys.length > 0) {
      const key = this.readyKeys.shift()!;
      this.running++;
      void this.runHead(key)
        .catch((err) =>
          this.opts.logger.error({ key, err: (err as Error).message }, "in-memory delivery crashed"),
        )
        .finally(() => {
          this.running--;
          this.notify();
          this.pump();
        });
    }
  }

  private later(key: string, ms: number): void {
    if (this.closed) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.readyKeys.push(key);
        this.pump();
      },
      Math.max(0, Math.ceil(ms)),
    );
    this.timers.add(t);
  }

  /** Moves on to the key's next job (or frees the key). */
  private advance(key: string): void {
    const lane = this.lanes.get(key) ?? [];
    lane.shift();
    this.busyKeys.delete(key);
    if (lane.length === 0) this.lanes.delete(key);
    else this.markReady(key);
    this.notify();
  }

  private async runHead(key: string): Promise<void> {
    const jobId = this.lanes.get(key)?.[0];
    const entry = jobId === undefined ? undefined : this.entries.get(jobId);
    if (entry?.state !== "queued") {
      if (jobId === undefined) this.busyKeys.delete(key);
      else this.advance(key);
      return;
    }
    const job = entry.job;
    const target = resolveDeliveryTarget(job, this.opts);
    if ("failure" in target) {
      this.deadLetter(entry, target.failure);
      this.advance(key);
      return;
    }
    const limit = (this.opts.rateLimitFor ?? defaultRateLimitFor)(target.service, job.destination);
    if (limit) {
      const rk = rateLimitKey(job.destination);
      const { waitMs, tat } = gcraTake(this.rateTat.get(rk) ?? 0, Date.now(), limit);
      if (waitMs > 0) return this.later(key, waitMs);
      this.rateTat.set(rk, tat);
    }
    entry.attempts++;
    entry.firstAttemptAt ??= Date.now();
    const event = deliveryEvent(job, entry.attempts, target.service);
    const result = await deliverOnce(job, target);
    if (result.ok) {
      entry.state = "delivered";
      callHook(this.opts.hooks?.onDelivered, {
        ...event,
        latencyMs: Date.now() - job.transition.detectedAt,
        receipt: result.receipt,
      });
      this.advance(key);
      return;
    }
    callHook(this.opts.hooks?.onFailed, { ...event, failure: result.failure });
    const decision = decideAfterFailure({
      failure: result.failure,
      attempts: entry.attempts,
      firstAttemptAt: entry.firstAttemptAt,
      now: Date.now(),
      policy: this.policy,
    });
    if (decision.action === "retry") {
      callHook(this.opts.hooks?.onRetried, { ...event, delayMs: decision.delayMs, failure: result.failure });
      this.later(key, decision.delayMs);
      return;
    }
    this.deadLetter(entry, result.failure, target.service);
    this.advance(key);
  }

  private deadLetter(
    entry: JobEntry,
    failure: DeliveryFailure,
    service?: Parameters<typeof deliveryEvent>[2],
  ) {
    entry.state = "dead";
    const letter: DeadLetter = {
      id: entry.job.jobId,
      job: entry.job,
      reason: { code: failure.code, message: failure.message, transient: failure.transient },
      attempts: entry.attempts,
      enqueuedAt: entry.enqueuedAt,
      deadLetteredAt: Date.now(),
    };
    if (entry.firstAttemptAt !== undefined) letter.firstAttemptAt = entry.firstAttemptAt;
    this.deadLetters.set(letter.id, letter);
    this.opts.logger.warn(
      {
        jobId: letter.id,
        service: entry.job.destination.service,
        code: failure.code,
        attempts: entry.attempts,
      },
      "notification dead-lettered",
    );
    callHook(this.opts.hooks?.onDeadLettered, {
      ...deliveryEvent(entry.job, entry.attempts, service),
      latencyMs: Date.now() - entry.job.transition.detectedAt,
      reason: letter.reason,
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private nextChange(deadline: number | undefined, pending: string[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (deadline !== undefined) {
        timer = setTimeout(
          () => {
            this.waiters = this.waiters.filter((w) => w !== done);
            reject(new SettleTimeoutError(pending, timeoutMs));
          },
          Math.max(0, deadline - Date.now()),
        );
      }
    });
  }
}

export function createInMemoryQueue(opts: DeliveryOptions): InMemoryNotificationQueue {
  return new InMemoryNotificationQueue(opts);
}
