// The in-process queue for the demo and replay (no Redis): same interface and the same semantics as the
// durable one (idempotent job ids, order per key while the head retries, other keys independent, retries
// with backoff/Retry-After, per-destination rate limits, dead letters) — the same delivery engine over the
// in-memory store; only the scheduling (which key runs when) is its own. Nothing survives the process: callers
// say so in their logs.
import { createDeliveryEngine, type DeliveryEngine } from "./delivery-engine.ts";
import { InMemoryDeliveryStore } from "./in-memory-delivery-store.ts";
import { type NotificationJob, validateNotificationJob } from "./notification-job.ts";
import {
  DEFAULT_QUEUE_CONCURRENCY,
  type DeadLetter,
  type DeadLetterOps,
  type DeliveryOptions,
  type EnqueueResult,
  type NotificationQueue,
  type SettledReport,
  SettleTimeoutError,
} from "./notification-queue.ts";

export class InMemoryNotificationQueue implements NotificationQueue, DeadLetterOps {
  readonly durable = false;
  private readonly opts: DeliveryOptions;
  private readonly concurrency: number;
  private readonly store = new InMemoryDeliveryStore();
  private readonly engine: DeliveryEngine;
  private readonly known = new Set<string>();
  /** Keys that are ready to run, running, or waiting on a timer (each key is in exactly one of those). */
  private readonly busyKeys = new Set<string>();
  private readonly readyKeys: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private running = 0;
  private closed = false;

  constructor(opts: DeliveryOptions) {
    this.opts = opts;
    this.engine = createDeliveryEngine(this.store, { ...opts, deadLetterLogLevel: "warn" });
    this.concurrency = Math.max(1, opts.concurrency ?? DEFAULT_QUEUE_CONCURRENCY);
  }

  async enqueue(jobs: NotificationJob[]): Promise<EnqueueResult> {
    for (const job of jobs) validateNotificationJob(job);
    if (this.closed) throw new Error("in-memory notification queue is closed");
    const result: EnqueueResult = { enqueued: [], duplicates: [] };
    const states = await this.store.enqueue(jobs, Date.now());
    jobs.forEach((job, i) => {
      this.known.add(job.jobId);
      if (states[i]!.state !== "created") {
        result.duplicates.push(job.jobId);
        return;
      }
      result.enqueued.push(job.jobId);
      this.markReady(job.orderingKey);
    });
    return result;
  }

  async waitUntilSettled(jobIds: string[], opts: { timeoutMs?: number } = {}): Promise<SettledReport> {
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
    for (;;) {
      const report: SettledReport = { delivered: [], deadLettered: [], unknown: [] };
      const pending: string[] = [];
      const states = await this.store.getStates(jobIds);
      jobIds.forEach((id, i) => {
        const s = states[i];
        if (s === "delivered") report.delivered.push(id);
        else if (s === "dead" || s === "purged") report.deadLettered.push(id);
        else if (s === undefined) report.unknown.push(id);
        else pending.push(id);
      });
      if (pending.length === 0) return report;
      if (this.closed) {
        throw new Error(`in-memory queue closed with ${pending.length} notification(s) not delivered`);
      }
      await this.nextChange(deadline, pending, opts.timeoutMs ?? 0);
    }
  }

  async onIdle(): Promise<void> {
    await this.waitUntilSettled([...this.known]);
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

  listDeadLetters(): Promise<DeadLetter[]> {
    return this.store.listDeadLetters();
  }

  countDeadLetters(): Promise<number> {
    return this.store.countDeadLetters();
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const letter = await this.store.getDeadLetter(id);
    if (!letter || this.closed) return false;
    if (!(await this.store.requeueDead(letter, id, Date.now()))) return false;
    this.markReady(letter.job.orderingKey);
    return true;
  }

  async retryAllDeadLetters(): Promise<number> {
    let n = 0;
    for (const l of await this.listDeadLetters()) if (await this.retryDeadLetter(l.id)) n++;
    return n;
  }

  async purgeDeadLetter(id: string): Promise<boolean> {
    const purged = await this.store.purgeDeadLetter(id);
    if (purged) this.notify();
    return purged;
  }

  async purgeDeadLetters(): Promise<number> {
    const n = await this.store.purgeDeadLetters();
    this.notify();
    return n;
  }

  // --- scheduling: one run at a time per key, its head; other keys up to the concurrency -----------------

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
        .catch((err) => {
          this.opts.logger.error({ key, err: (err as Error).message }, "in-memory delivery crashed");
          this.busyKeys.delete(key);
        })
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

  private async runHead(key: string): Promise<void> {
    const head = await this.store.head(key);
    const ticket = head === undefined ? undefined : this.store.ticket(head);
    if (!ticket) {
      this.busyKeys.delete(key);
      return;
    }
    const step = await this.engine.run(ticket);
    if (step.outcome === "retry" || step.outcome === "rate-limited" || step.outcome === "deferred") {
      this.later(key, step.delayMs);
      return;
    }
    // settled, skipped (settled elsewhere) or behind a head that is not settled yet: the key's head runs next
    this.busyKeys.delete(key);
    if ((await this.store.head(key)) !== undefined) this.markReady(key);
    this.notify();
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
