// The durable worker: the executor of the delivery engine (delivery-engine.ts) over the Redis store
// (redis-queue-store.ts). The engine decides (deliver, retry, dead-letter, wait for the head of the key); this file
// decides when each job runs: it takes due jobs from the store's ready set, holds each under a lease while it runs,
// and ends each turn with one store step that also hands it its next due jobs.
//
// Order: each ordering key (rollout uid + service + recipient) has a list of its queued job ids, appended atomically
// with the job record at enqueue. Only the head of a list is ever in the ready set: the step that settles a job
// (ack or dead letter) makes the next one ready in the same script. A head that is retrying with backoff therefore
// holds back only its own key: other keys run freely.
// Round trips per notification: enqueue (1), claim + rate slot + attempt (1), ack + the next jobs handed over (1).
// An idle worker blocks on the store's marker (BZPOPMIN, on a connection of its own) and takes due jobs when it is
// set, or when the earliest delayed job (a retry, a rate limit's wait) is due.
// A worker killed mid-delivery: its leases run out (lockDurationMs; renewed every half of it while a job runs) and
// any worker's next take puts those jobs back in the ready set, to be delivered again (at least once: sinks use the
// job id for idempotency where the API allows; attempts, counted before each delivery, bound a job that keeps
// killing workers).
import type { RedisClient } from "../redis/redis-connection.ts";
import { createDeliveryEngine } from "./delivery-engine.ts";
import type { DeliveryTicket, HandedOff, HandOff } from "./delivery-store.ts";
import { DEFAULT_QUEUE_CONCURRENCY, type DeliveryOptions } from "./notification-queue.ts";
import { DEFAULT_QUEUE_NAME, RedisQueueStore } from "./redis-queue-store.ts";

export interface DeliveryWorkerOptions extends DeliveryOptions {
  /** An ioredis client created with maxRetriesPerRequest: null (see createRedisConnection); not closed here. */
  connection: RedisClient;
  queueName?: string;
  idempotencyTtlMs?: number;
  /** How long a worker holds a job it runs before another may take it over (renewed every half of it). */
  lockDurationMs?: number;
  /** The longest an idle worker waits before it looks at the queue again (and takes back jobs of dead workers). */
  stalledIntervalMs?: number;
  /** How often queued jobs without an executor (an older version's, anything a bug left) are made ready again. */
  repairIntervalMs?: number;
  /** The first wait after a run failed for infrastructure reasons (doubled after each; default 1000 ms). */
  infraRetryDelayMs?: number;
}

export interface DeliveryWorker {
  /** Stops taking jobs; waits for in-flight deliveries unless force (their leases then run out and others take them). */
  close(opts?: { force?: boolean }): Promise<void>;
  /** One repair sweep now; returns how many ordering keys it looked at. */
  repair(): Promise<number>;
}

/** An idle worker looks at the queue at least this often (BZPOPMIN's timeout), also with a longer stalled interval. */
const MAX_IDLE_MS = 5_000;
/** How long past its own timeout a blocking wait may go unanswered before its connection is made again. */
const BLOCKING_GRACE_MS = 5_000;
/** Infrastructure errors (Redis unreachable mid-run) a job may meet in a row before it is dead-lettered. */
const MAX_INFRA_FAILURES = 5;

export async function startDeliveryWorker(opts: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const storeOpts: { queueName: string; idempotencyTtlMs?: number; stalledGraceMs?: number } = { queueName };
  if (opts.idempotencyTtlMs !== undefined) storeOpts.idempotencyTtlMs = opts.idempotencyTtlMs;
  const stalledIntervalMs = Math.max(10, opts.stalledIntervalMs ?? 30_000);
  // a lease seen run out is taken back a stalled interval later (its owner's renewal, held up by a fail-over,
  // gets through first), as BullMQ's stalled check took a job back at its second look
  const store = new RedisQueueStore(opts.connection, { ...storeOpts, stalledGraceMs: stalledIntervalMs });
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_QUEUE_CONCURRENCY);
  const leaseMs = Math.max(100, opts.lockDurationMs ?? 30_000);
  const idleMs = Math.min(MAX_IDLE_MS, stalledIntervalMs);
  const log = opts.logger.child({ component: "delivery-worker" });
  // the delivery hooks log dead letters for operators; the engine's own line is the worker's trace
  const engine = createDeliveryEngine(store, { ...opts, logger: log, deadLetterLogLevel: "debug" });
  // BZPOPMIN blocks its connection: a connection of its own
  const blocking = (opts.connection as { duplicate(): RedisClient }).duplicate();
  blocking.on("error", () => {}); // reconnects; the main connection's listener reports Redis errors

  /** The jobs this worker runs (their leases renewed every half lease). */
  const running = new Set<string>();
  /** Slots promised to takes in flight (their jobs are not running yet). */
  let reserved = 0;
  let closing = false;
  let signalClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    signalClosed = r;
  });
  const infraFailures = new Map<string, number>();
  let slotFreed: (() => void) | undefined;
  let dueTimer: NodeJS.Timeout | undefined;
  let dueTimerAt = Number.POSITIVE_INFINITY;

  const free = (): number => concurrency - running.size - reserved;

  /** A hand-off for a job ending its turn: its own slot plus the free ones, reserved when the step is sent. */
  const handOffFor = (): HandOff & { reservedExtra: number } => {
    const h = {
      leaseMs,
      reservedExtra: 0,
      count(): number {
        if (closing) return 0;
        h.reservedExtra = Math.max(0, free());
        reserved += h.reservedExtra;
        return 1 + h.reservedExtra;
      },
    };
    return h;
  };

  const startJobs = (taken: DeliveryTicket[]): void => {
    for (const t of taken) {
      running.add(t.jobId);
      void runJob(t);
    }
  };

  /** What a store step handed over: start it, and look again when the earliest delayed job is due. */
  const handle = (handedOff: HandedOff | undefined): void => {
    if (!handedOff) return;
    if (closing) {
      // taken while closing (a step sent before close): give them back at once
      for (const t of handedOff.taken) void giveBack(t.jobId);
      return;
    }
    startJobs(handedOff.taken);
    if (handedOff.nextDueAt !== undefined) armDueTimer(handedOff.nextDueAt);
  };

  const giveBack = async (jobId: string): Promise<void> => {
    await store.release(jobId, { dueAt: Date.now() }, { leaseMs, count: () => 0 }).catch(() => {}); // its lease runs out: another worker takes it then
  };

  const armDueTimer = (at: number): void => {
    if (closing || at >= dueTimerAt) return;
    if (dueTimer) clearTimeout(dueTimer);
    dueTimerAt = at;
    dueTimer = setTimeout(
      () => {
        dueTimer = undefined;
        dueTimerAt = Number.POSITIVE_INFINITY;
        void fill().catch((err) => log.warn({ err: (err as Error).message }, "taking due jobs failed"));
      },
      Math.max(0, at - Date.now()),
    );
    dueTimer.unref();
  };

  /** Takes as many due jobs as there are free slots; true when it filled them all (more may be due). */
  const fill = async (): Promise<boolean> => {
    const n = free();
    if (n <= 0 || closing) return false;
    reserved += n;
    let taken: HandedOff;
    try {
      taken = await store.take(n, Date.now(), leaseMs);
    } finally {
      reserved -= n;
    }
    handle(taken);
    return taken.taken.length === n;
  };

  const ended = (jobId: string, handOff: ReturnType<typeof handOffFor>, handedOff?: HandedOff): void => {
    reserved -= handOff.reservedExtra;
    handOff.reservedExtra = 0;
    running.delete(jobId);
    handle(handedOff);
    if (free() > 0) {
      slotFreed?.();
      slotFreed = undefined;
    }
  };

  const runJob = async (ticket: DeliveryTicket): Promise<void> => {
    const handOff = handOffFor();
    let handedOff: HandedOff | undefined;
    try {
      const step = await engine.run(ticket, handOff);
      infraFailures.delete(ticket.jobId);
      switch (step.outcome) {
        case "delivered":
        case "dead-lettered":
          handedOff = step.handedOff;
          break;
        case "retry":
        case "rate-limited":
        case "deferred":
          handedOff = await store.release(ticket.jobId, { dueAt: Date.now() + step.delayMs }, handOff);
          break;
        case "behind": // not the head of its key (the head is made ready, and this one when its turn comes)
        case "skipped":
          handedOff = await store.release(ticket.jobId, {}, handOff);
          break;
      }
    } catch (err) {
      handedOff = await infraFailure(ticket, err as Error, handOff);
    } finally {
      ended(ticket.jobId, handOff, handedOff);
    }
  };

  /**
   * The run failed for infrastructure reasons (Redis unreachable mid-run; a bug): the job goes back to the ready set
   * with a backoff; after MAX_INFRA_FAILURES in a row it is dead-lettered visibly. If Redis cannot be reached even
   * for that, its lease runs out and a worker takes it again.
   */
  const infraFailure = async (
    ticket: DeliveryTicket,
    err: Error,
    handOff: ReturnType<typeof handOffFor>,
  ): Promise<HandedOff | undefined> => {
    const failures = (infraFailures.get(ticket.jobId) ?? 0) + 1;
    infraFailures.set(ticket.jobId, failures);
    if (infraFailures.size > 10_000) infraFailures.delete(infraFailures.keys().next().value!);
    log.warn({ jobId: ticket.jobId, err: err.message, failures }, "delivery run failed");
    try {
      if (failures >= MAX_INFRA_FAILURES) {
        infraFailures.delete(ticket.jobId);
        await engine.abandon(ticket.jobId, { code: "worker-error", message: err.message, transient: true });
        return await store.release(ticket.jobId, {}, handOff);
      }
      return await store.release(
        ticket.jobId,
        { dueAt: Date.now() + (opts.infraRetryDelayMs ?? 1000) * 2 ** (failures - 1) },
        handOff,
      );
    } catch {
      return undefined;
    }
  };

  const renewTimer = setInterval(
    () => {
      store
        .renewLeases([...running], Date.now() + leaseMs)
        .catch((err) => log.warn({ err: (err as Error).message }, "renewing delivery leases failed"));
    },
    Math.max(50, Math.floor(leaseMs / 2)),
  );
  renewTimer.unref();

  /**
   * Blocks on the marker (BZPOPMIN) for up to `timeoutMs`. Raced with close (ioredis never settles a command of a
   * connection disconnected while it reconnects), and with a watchdog: a blocking command that has not answered
   * BLOCKING_GRACE_MS after its own timeout is on a connection that stopped answering without closing (a vanished
   * peer, a dropped firewall flow: TCP keepalive notices after hours), and while it waits no job is taken. That
   * connection is dropped and made again.
   */
  const waitForMarker = async (timeoutMs: number): Promise<void> => {
    let watchdog: NodeJS.Timeout | undefined;
    const answered = blocking.bzpopmin(store.markerKey, (timeoutMs / 1000).toFixed(3)).then(() => "answered");
    answered.catch(() => {}); // rejected when the connection is dropped below; the loop goes on
    const stuck = new Promise<"stuck">((resolve) => {
      watchdog = setTimeout(() => resolve("stuck"), timeoutMs + BLOCKING_GRACE_MS);
    });
    try {
      if ((await Promise.race([answered, closed, stuck])) !== "stuck") return;
    } finally {
      clearTimeout(watchdog);
    }
    if (closing) return;
    log.warn(
      { waitedMs: timeoutMs + BLOCKING_GRACE_MS },
      "the blocking Redis connection did not answer within its wait; reconnecting it",
    );
    blocking.disconnect(true);
  };

  /** The idle loop: takes jobs while slots are free, blocks on the marker when nothing is due. */
  const idleLoop = async (): Promise<void> => {
    while (!closing) {
      try {
        if (free() <= 0) {
          await new Promise<void>((r) => {
            slotFreed = r;
          });
          continue;
        }
        if (await fill()) continue;
        if (closing) break;
        const timeoutMs = Math.max(1, Math.min(idleMs, dueTimerAt - Date.now()));
        await waitForMarker(timeoutMs);
      } catch (err) {
        if (closing) break;
        log.warn({ err: (err as Error).message }, "taking due jobs failed");
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  const repair = async (): Promise<number> => {
    const keys = await store.orderingKeys();
    for (let i = 0; i < keys.length; i += 500) {
      await store.readyHeads(keys.slice(i, i + 500), Date.now());
    }
    return keys.length;
  };
  let repairing: Promise<unknown> = Promise.resolve();
  const repairTimer = setInterval(() => {
    repairing = repair().catch((err) =>
      log.warn({ err: (err as Error).message }, "queue repair sweep failed"),
    );
  }, opts.repairIntervalMs ?? 60_000);
  repairTimer.unref();

  await repair().catch((err) => log.warn({ err: (err as Error).message }, "queue repair sweep failed"));
  const looping = idleLoop();

  return {
    repair,
    async close(closeOpts = {}) {
      closing = true;
      signalClosed();
      clearInterval(repairTimer);
      if (dueTimer) clearTimeout(dueTimer);
      slotFreed?.();
      blocking.disconnect();
      await looping;
      if (!closeOpts.force) {
        while (running.size > 0) await new Promise((r) => setTimeout(r, 10));
      }
      clearInterval(renewTimer);
      await repairing;
    },
  };
}
