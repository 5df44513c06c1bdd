// The delivery state machine, written once for both queues: claim → rate slot → attempt (one store step) →
// deliver → ack / retry / dead-letter, the ack and the dead letter promoting the next job of the ordering key (one
// store step each). It works on a DeliveryStore (delivery-store.ts) and leaves *when* to run a job to its
// executor: the in-memory queue's lanes and timers, or the Redis store's ready set and leases (delivery-worker.ts).
import type { ServiceConfig } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import {
  callHook,
  deliverOnce,
  deliveryEvent,
  jobLogFields,
  renderFailure,
  resolveDeliveryTarget,
  resolveDestinationTarget,
} from "./delivery-attempt.ts";
import type { DeliveryFailure } from "./delivery-failure.ts";
import type { DeliveryStore, DeliveryTicket, HandedOff, HandOff, JobRef } from "./delivery-store.ts";
import type { NotificationJob } from "./notification-job.ts";
import { DEFAULT_QUEUE_CONCURRENCY, type DeadLetter, type DeliveryOptions } from "./notification-queue.ts";
import { defaultRateLimitFor } from "./rate-limit.ts";
import { decideAfterFailure, resolveRetryPolicy } from "./retry-policy.ts";
import { TenantSlots, tenantSlotLimits } from "./tenant-slots.ts";

/** What one run of a job came to, and what its executor should do next. */
export type DeliveryStep =
  /** Settled now (or by another executor before: changed false); `next` is the key's new head, to run now;
   * `handedOff` the jobs the store handed the executor in the same step (HandOff). */
  | { outcome: "delivered" | "dead-lettered"; changed: boolean; next?: JobRef; handedOff?: HandedOff }
  /** A failed attempt to be retried after delayMs; or the destination's rate limit (nothing counted). */
  | { outcome: "retry" | "rate-limited"; delayMs: number }
  /** Its namespace's services already use their share of this worker's slots (tenant-slots.ts): nothing
   * counted; look again after delayMs. */
  | { outcome: "deferred"; delayMs: number }
  /** Another queued job of the key is ahead: it runs first (its executor must exist). */
  | { outcome: "behind"; head: JobRef }
  | { outcome: "skipped"; why: string };

export interface DeliveryEngineOptions extends DeliveryOptions {
  /** How dead letters are logged: "warn" where no hook reports them, "debug" where the hooks log them. */
  deadLetterLogLevel?: "warn" | "debug";
}

export interface DeliveryEngine {
  /** `handOff`: the executor takes its next jobs in the step that settles this one (delivery-store.ts). */
  run(ticket: DeliveryTicket, handOff?: HandOff): Promise<DeliveryStep>;
  /** Dead-letters a queued job whose executor gave up (infrastructure errors), promoting the next of its key. */
  abandon(jobId: string, failure: DeliveryFailure): Promise<DeliveryStep>;
}

export function createDeliveryEngine(store: DeliveryStore, opts: DeliveryEngineOptions): DeliveryEngine {
  const policy = resolveRetryPolicy(opts.retry);
  const rateLimitFor = opts.rateLimitFor ?? defaultRateLimitFor;
  const hooks = opts.hooks ?? {};
  const log: Logger = opts.logger;
  const deadLetterLogLevel = opts.deadLetterLogLevel ?? "warn";
  const tenantSlots = new TenantSlots(
    tenantSlotLimits(opts.concurrency ?? DEFAULT_QUEUE_CONCURRENCY, opts.tenantConcurrency),
  );

  const deadLetter = async (
    job: NotificationJob,
    record: { enqueuedAt: number; firstAttemptAt?: number },
    attempts: number,
    failure: DeliveryFailure,
    service?: ServiceConfig,
    handOff?: HandOff,
  ): Promise<DeliveryStep> => {
    const letter: DeadLetter = {
      id: job.jobId,
      job,
      reason: { code: failure.code, message: failure.message, transient: failure.transient },
      attempts,
      enqueuedAt: record.enqueuedAt,
      deadLetteredAt: Date.now(),
    };
    if (record.firstAttemptAt !== undefined) letter.firstAttemptAt = record.firstAttemptAt;
    const { changed, next, handedOff } = await store.markDead(letter, handOff);
    if (changed) {
      if (log.isLevelEnabled(deadLetterLogLevel)) {
        log[deadLetterLogLevel](
          { ...jobLogFields(job), code: failure.code, attempts, reason: failure.message },
          "notification dead-lettered",
        );
      }
      callHook(hooks.onDeadLettered, {
        ...deliveryEvent(job, attempts, service),
        latencyMs: Date.now() - job.transition.detectedAt,
        reason: letter.reason,
      });
    }
    return settledStep("dead-lettered", changed, next, handedOff);
  };

  return {
    async abandon(jobId, failure) {
      const rec = await store.queuedRecord(jobId);
      if (!rec) return { outcome: "skipped", why: "not queued" };
      return deadLetter(rec.job, rec, rec.attempts, failure);
    },

    async run(given, handOff) {
      let ticket = given;
      if (!ticket.destination) {
        // an executor made before tickets carried the destination: read it (one more round trip)
        const rec = await store.queuedRecord(ticket.jobId);
        if (!rec) return { outcome: "skipped", why: "not queued" };
        ticket = { ...ticket, orderingKey: rec.job.orderingKey, destination: rec.job.destination };
        if (rec.job.tenantNamespace !== undefined) ticket.tenantNamespace = rec.job.tenantNamespace;
      }
      if (ticket.tenantNamespace === undefined) return runTicket(ticket, handOff);
      // a service of a namespace's own config: only within its share of this worker's slots
      const release = tenantSlots.take(ticket.tenantNamespace, ticket.jobId);
      if (!release) {
        const delayMs = tenantSlots.deferralMs(ticket.jobId);
        if (log.isLevelEnabled("debug")) {
          log.debug(
            {
              jobId: ticket.jobId,
              namespace: ticket.tenantNamespace,
              inFlight: tenantSlots.inFlight(ticket.tenantNamespace),
              delayMs,
            },
            "delivery deferred: the namespace's services use their share of this worker's slots",
          );
        }
        callHook(hooks.onDeferred, {
          jobId: ticket.jobId,
          service: ticket.destination!.service,
          tenantNamespace: ticket.tenantNamespace,
          delayMs,
        });
        return { outcome: "deferred", delayMs };
      }
      try {
        return await runTicket(ticket, handOff);
      } finally {
        release();
      }
    },
  };

  /** A job whose ticket names its destination: claim → rate slot → attempt → deliver → ack/retry/dead letter. */
  async function runTicket(ticket: DeliveryTicket, handOff: HandOff | undefined): Promise<DeliveryStep> {
    // The service and its rate limit from the ticket: then claim, rate slot and attempt are one step.
    const byTicket = resolveDestinationTarget(ticket.destination!, ticket.tenantNamespace, opts);
    const limit = "failure" in byTicket ? undefined : rateLimitFor(byTicket.service, ticket.destination!);
    const claim = await store.claim(ticket, {
      now: Date.now(),
      ...(limit ? { rate: limit } : {}),
      countAttempt: !("failure" in byTicket),
    });
    if (claim.outcome === "skip") return { outcome: "skipped", why: claim.why };
    if (claim.outcome === "behind") return claim;
    if (claim.outcome === "wait") return { outcome: "rate-limited", delayMs: claim.waitMs };

    const { job } = claim;
    // (the ticket names the job's own destination: it was made from the job; a job that says otherwise wins)
    const sameDestination =
      job.destination.service === ticket.destination!.service &&
      job.destination.recipient === ticket.destination!.recipient &&
      job.tenantNamespace === ticket.tenantNamespace;
    const target = sameDestination ? (renderFailure(job) ?? byTicket) : resolveDeliveryTarget(job, opts);
    if ("failure" in target) {
      // never attempted: an attempt the claim counted was not made
      const attempts = "failure" in byTicket ? claim.attempts : claim.attempts - 1;
      return deadLetter(job, claim, attempts, target.failure, undefined, handOff);
    }
    const attempt = claim.attempts;
    const firstAttemptAt = claim.firstAttemptAt ?? Date.now();
    if (attempt > policy.maxAttempts) {
      // Earlier attempts never finished (the worker died mid-delivery each time).
      return deadLetter(
        job,
        { ...claim, firstAttemptAt },
        attempt - 1,
        {
          code: "attempts-exhausted",
          message: "delivery never finished (worker lost mid-delivery)",
          transient: true,
        },
        target.service,
        handOff,
      );
    }

    const event = deliveryEvent(job, attempt, target.service);
    const attemptStart = performance.now();
    const result = await deliverOnce(job, target);
    event.attemptMs = performance.now() - attemptStart;
    if (result.ok) {
      const { changed, next, handedOff } = await store.markDelivered(
        job,
        Date.now(),
        result.receipt.ref ?? "",
        handOff,
      );
      if (changed) {
        // (the worker's trace: its fields are built only when it is logged)
        if (log.isLevelEnabled("debug"))
          log.debug({ ...jobLogFields(job), attempt }, "notification delivered");
        if (hooks.onDelivered) {
          // the event itself, completed: the hooks read it synchronously
          const delivered = event as typeof event & { latencyMs: number; receipt: typeof result.receipt };
          delivered.latencyMs = Date.now() - job.transition.detectedAt;
          delivered.receipt = result.receipt;
          callHook(hooks.onDelivered, delivered);
        }
      }
      return settledStep("delivered", changed, next, handedOff);
    }

    const failure = result.failure;
    callHook(hooks.onFailed, { ...event, failure });
    const decision = decideAfterFailure({
      failure,
      attempts: attempt,
      firstAttemptAt,
      now: Date.now(),
      policy,
    });
    if (decision.action === "retry") {
      await store.recordRetry(job.jobId, failure);
      if (log.isLevelEnabled("debug")) {
        log.debug(
          { ...jobLogFields(job), code: failure.code, attempt, delayMs: decision.delayMs },
          "delivery failed, retrying",
        );
      }
      callHook(hooks.onRetried, { ...event, delayMs: decision.delayMs, failure });
      return { outcome: "retry", delayMs: decision.delayMs };
    }
    return deadLetter(job, { ...claim, firstAttemptAt }, attempt, failure, target.service, handOff);
  }
}

function settledStep(
  outcome: "delivered" | "dead-lettered",
  changed: boolean,
  next: JobRef | undefined,
  handedOff: HandedOff | undefined,
): DeliveryStep {
  const step: DeliveryStep = { outcome, changed };
  if (next) step.next = next;
  if (handedOff) step.handedOff = handedOff;
  return step;
}

/** The ticket of a job (what its executor carries). */
export function ticketOf(job: NotificationJob, executorId: string): DeliveryTicket {
  const t: DeliveryTicket = {
    jobId: job.jobId,
    executorId,
    orderingKey: job.orderingKey,
    destination: job.destination,
  };
  if (job.tenantNamespace !== undefined) t.tenantNamespace = job.tenantNamespace;
  return t;
}
