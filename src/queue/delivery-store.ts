// The contract between the delivery engine (delivery-engine.ts) and where a queue keeps its notifications: job
// records, the order of each ordering key, per-destination rate limits, attempt counts and dead letters. Two
// implementations: in memory (demo, replay; in-memory-delivery-store.ts) and Redis (everything else;
// redis-queue-store.ts). One contract suite (test/queue/delivery-store.contract.test.ts) runs against both.
//
// Every method is one step that either happens completely or not at all (in Redis: one script), so a crash leaves
// the old or the new state, never half of it.
import type { Destination } from "../config/types.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { DeadLetter } from "./notification-queue.ts";
import type { RateLimit } from "./rate-limit.ts";

export type JobState = "queued" | "delivered" | "dead" | "purged";

/** A queued job and who runs it (the Redis store: "rn:ready", its ready/active sets; the job id itself in memory). */
export interface JobRef {
  jobId: string;
  executorId: string;
}

/**
 * What an executor knows of a job before it claims it: enough to resolve the service and its rate limit, so that
 * claim, rate slot and attempt count are one step. `destination` is missing only for executors made before it was
 * carried (then the engine reads the job first).
 */
export interface DeliveryTicket extends JobRef {
  orderingKey: string;
  destination?: Destination;
  tenantNamespace?: string;
}

export interface ClaimOptions {
  now: number;
  /** The destination's send limit: a slot is taken before the attempt is counted (ticket.destination needed). */
  rate?: RateLimit;
  /** false: only look (the job will be dead-lettered without an attempt). */
  countAttempt: boolean;
}

export interface QueuedRecord {
  job: NotificationJob;
  enqueuedAt: number;
  attempts: number;
  firstAttemptAt?: number;
}

export type Claim =
  /** Not queued any more (delivered, dead, purged), unknown, or owned by another executor ("superseded"). */
  | { outcome: "skip"; why: string }
  /** Another queued job of the key is ahead of it (dead heads are dropped on the way). */
  | { outcome: "behind"; head: JobRef }
  /** The destination's rate limit: nothing was counted; try again after waitMs. */
  | { outcome: "wait"; waitMs: number }
  /** The head of its key: `attempts` includes this one when counted. */
  | {
      outcome: "claimed";
      job: NotificationJob;
      enqueuedAt: number;
      attempts: number;
      firstAttemptAt?: number;
    };

/** A job left its key's order (delivered or dead-lettered): `next` is the key's new head, to be run now. */
export interface Settled {
  /** false when it was settled before (another executor finished it): nothing changed. */
  changed: boolean;
  next?: JobRef;
  /** The jobs handed to the executor in the same step (see HandOff). */
  handedOff?: HandedOff;
}

/**
 * An executor's request to be handed its next due jobs by the step that settles one (the Redis store: in the
 * same script, as BullMQ's moveToFinished fetches the next job). Stores whose executor runs jobs otherwise (in
 * memory) ignore it.
 */
export interface HandOff {
  /** How many jobs the executor takes now: asked once, when the step is sent. */
  count(): number;
  /** How long the executor holds a job it takes before another may take it (its lease, renewed while it runs). */
  leaseMs: number;
}

export interface HandedOff {
  taken: DeliveryTicket[];
  /** When the earliest job left in the ready set is due (undefined: none is left). */
  nextDueAt: number | undefined;
}

export interface DeliveryStore {
  /**
   * Creates each job's record and appends it to its key's order, unless its id is known (also long after
   * delivery): then nothing changes and its state is returned. A known id that is still queued returns its executor.
   */
  enqueue(
    jobs: NotificationJob[],
    now: number,
  ): Promise<{ state: JobState | "created"; executorId: string }[]>;
  /** claim → rate slot → attempt, in one step. */
  claim(ticket: DeliveryTicket, opts: ClaimOptions): Promise<Claim>;
  /** A queued record, without claiming it (tickets without a destination; an executor that gave up). */
  queuedRecord(jobId: string): Promise<QueuedRecord | undefined>;
  /** A failed attempt that will be retried: its error is kept on the record (shown for queued jobs). */
  recordRetry(jobId: string, failure: Pick<DeliveryFailure, "code" | "message">): Promise<void>;
  /** Acks a delivery (the id is kept for idempotency) and promotes the next job of the key. */
  markDelivered(job: NotificationJob, now: number, ref: string, handOff?: HandOff): Promise<Settled>;
  /** Dead-letters a job (kept until retried or purged) and promotes the next job of the key. */
  markDead(letter: DeadLetter, handOff?: HandOff): Promise<Settled>;
  getStates(jobIds: string[]): Promise<(JobState | undefined)[]>;
  /** The queued job at the head of a key's order. */
  head(orderingKey: string): Promise<string | undefined>;

  listDeadLetters(): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  countDeadLetters(): Promise<number>;
  /** Queues a dead letter again behind its key's queued jobs, attempts reset. false when it is no dead letter. */
  requeueDead(letter: DeadLetter, executorId: string, now: number): Promise<boolean>;
  /** Drops one dead letter (atomically with its record; its id stays known). false when it is not one (any more). */
  purgeDeadLetter(id: string): Promise<boolean>;
  /** Drops every dead letter; their ids stay known. Returns how many. */
  purgeDeadLetters(): Promise<number>;
}
