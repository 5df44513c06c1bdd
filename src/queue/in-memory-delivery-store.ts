// The DeliveryStore in process memory (demo, replay): the same records and steps as the Redis store, lost when
// the process ends.
import type { DeliveryFailure } from "./delivery-failure.ts";
import type {
  Claim,
  ClaimOptions,
  DeliveryStore,
  DeliveryTicket,
  JobRef,
  JobState,
  QueuedRecord,
  Settled,
} from "./delivery-store.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import { gcraTake, rateLimitKey } from "./rate-limit.ts";

interface JobRecord {
  state: JobState;
  job: NotificationJob;
  executorId: string;
  enqueuedAt: number;
  attempts: number;
  firstAttemptAt?: number;
  lastError?: { code: string; message: string };
}

/** How many dead heads one claim drops before it gives up looking (a bound, as in the Redis script). */
const MAX_DEAD_HEADS = 100;

export class InMemoryDeliveryStore implements DeliveryStore {
  private readonly records = new Map<string, JobRecord>();
  /** Queued job ids per ordering key, in enqueue order. */
  private readonly orders = new Map<string, string[]>();
  private readonly rateTat = new Map<string, number>();
  private readonly deadLetters = new Map<string, DeadLetter>();

  async enqueue(jobs: NotificationJob[], now: number) {
    return jobs.map((job) => {
      const known = this.records.get(job.jobId);
      if (known) return { state: known.state, executorId: known.executorId };
      const copy = structuredClone(job); // what the durable store would have serialized
      this.records.set(job.jobId, {
        state: "queued",
        job: copy,
        executorId: job.jobId,
        enqueuedAt: now,
        attempts: 0,
      });
      this.append(copy.orderingKey, copy.jobId);
      return { state: "created" as const, executorId: job.jobId };
    });
  }

  async claim(ticket: DeliveryTicket, opts: ClaimOptions): Promise<Claim> {
    const rec = this.records.get(ticket.jobId);
    if (!rec) return { outcome: "skip", why: "unknown" };
    if (rec.state !== "queued") return { outcome: "skip", why: rec.state };
    if (rec.executorId !== ticket.executorId) return { outcome: "skip", why: "superseded" };
    const head = this.liveHead(rec.job.orderingKey, ticket.jobId);
    if (head !== undefined) return { outcome: "behind", head };
    if (opts.rate) {
      if (!ticket.destination) throw new Error("claim: a rate limit needs the ticket's destination");
      const key = rateLimitKey(ticket.destination);
      const { waitMs, tat } = gcraTake(this.rateTat.get(key) ?? 0, opts.now, opts.rate);
      if (waitMs > 0) return { outcome: "wait", waitMs };
      this.rateTat.set(key, tat);
    }
    if (opts.countAttempt) {
      rec.attempts++;
      rec.firstAttemptAt ??= opts.now;
    }
    const claim: Claim = {
      outcome: "claimed",
      job: rec.job,
      enqueuedAt: rec.enqueuedAt,
      attempts: rec.attempts,
    };
    if (rec.firstAttemptAt !== undefined) claim.firstAttemptAt = rec.firstAttemptAt;
    return claim;
  }

  async queuedRecord(jobId: string): Promise<QueuedRecord | undefined> {
    const rec = this.records.get(jobId);
    if (rec?.state !== "queued") return undefined;
    const r: QueuedRecord = { job: rec.job, enqueuedAt: rec.enqueuedAt, attempts: rec.attempts };
    if (rec.firstAttemptAt !== undefined) r.firstAttemptAt = rec.firstAttemptAt;
    return r;
  }

  async recordRetry(jobId: string, failure: Pick<DeliveryFailure, "code" | "message">): Promise<void> {
    const rec = this.records.get(jobId);
    if (rec) rec.lastError = { code: failure.code, message: failure.message };
  }

  async markDelivered(job: NotificationJob, _now: number, _ref: string): Promise<Settled> {
    const rec = this.records.get(job.jobId);
    if (rec?.state !== "queued") return { changed: false };
    rec.state = "delivered";
    delete rec.lastError;
    return this.leaveOrder(rec);
  }

  async markDead(letter: DeadLetter): Promise<Settled> {
    const rec = this.records.get(letter.id);
    if (rec?.state !== "queued") return { changed: false };
    rec.state = "dead";
    this.deadLetters.set(letter.id, letter);
    return this.leaveOrder(rec);
  }

  async getStates(jobIds: string[]): Promise<(JobState | undefined)[]> {
    return jobIds.map((id) => this.records.get(id)?.state);
  }

  async head(orderingKey: string): Promise<string | undefined> {
    return this.orders.get(orderingKey)?.[0];
  }

  /** Every ordering key with queued jobs (what the queue schedules after a restart of its loop). */
  orderingKeys(): string[] {
    return [...this.orders.keys()];
  }

  /** The ticket of a queued job (what an executor of this store knows). */
  ticket(jobId: string): DeliveryTicket | undefined {
    const rec = this.records.get(jobId);
    if (!rec) return undefined;
    const t: DeliveryTicket = {
      jobId,
      executorId: rec.executorId,
      orderingKey: rec.job.orderingKey,
      destination: rec.job.destination,
    };
    if (rec.job.tenantNamespace !== undefined) t.tenantNamespace = rec.job.tenantNamespace;
    return t;
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    return [...this.deadLetters.values()].sort(
      (a, b) => a.deadLetteredAt - b.deadLetteredAt || a.id.localeCompare(b.id),
    );
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.deadLetters.get(id);
  }

  async countDeadLetters(): Promise<number> {
    return this.deadLetters.size;
  }

  async requeueDead(letter: DeadLetter, executorId: string, _now: number): Promise<boolean> {
    const rec = this.records.get(letter.id);
    if (!this.deadLetters.has(letter.id) || !rec) return false;
    this.deadLetters.delete(letter.id);
    rec.state = "queued";
    rec.executorId = executorId;
    rec.attempts = 0;
    delete rec.firstAttemptAt;
    delete rec.lastError;
    this.append(rec.job.orderingKey, letter.id);
    return true;
  }

  async purgeDeadLetter(id: string): Promise<boolean> {
    if (!this.deadLetters.delete(id)) return false;
    const rec = this.records.get(id);
    if (rec?.state === "dead") rec.state = "purged";
    return true;
  }

  async purgeDeadLetters(): Promise<number> {
    const n = this.deadLetters.size;
    for (const id of this.deadLetters.keys()) {
      const rec = this.records.get(id);
      if (rec?.state === "dead") rec.state = "purged";
    }
    this.deadLetters.clear();
    return n;
  }

  private append(key: string, jobId: string): void {
    const order = this.orders.get(key);
    if (order) order.push(jobId);
    else this.orders.set(key, [jobId]);
  }

  /** The queued job ahead of `jobId` in its key's order (dead heads dropped), or undefined when it leads. */
  private liveHead(key: string, jobId: string): JobRef | undefined {
    const order = this.orders.get(key);
    if (!order?.includes(jobId)) return undefined; // not in the order: do not block it forever
    for (let i = 0; i < MAX_DEAD_HEADS && order.length > 0; i++) {
      const head = order[0]!;
      if (head === jobId) return undefined;
      const rec = this.records.get(head);
      if (rec?.state === "queued") return { jobId: head, executorId: rec.executorId };
      order.shift();
    }
    return order[0] === jobId ? undefined : this.refOf(order[0]);
  }

  private leaveOrder(rec: JobRecord): Settled {
    const key = rec.job.orderingKey;
    const order = this.orders.get(key);
    if (order) {
      const i = order.indexOf(rec.job.jobId);
      if (i >= 0) order.splice(i, 1);
      if (order.length === 0) this.orders.delete(key);
    }
    const next = this.refOf(this.orders.get(key)?.[0]);
    return next ? { changed: true, next } : { changed: true };
  }

  private refOf(jobId: string | undefined): JobRef | undefined {
    if (jobId === undefined) return undefined;
    const rec = this.records.get(jobId);
    return { jobId, executorId: rec?.executorId ?? jobId };
  }
}
