// The BullMQ side of the durable queue: one BullMQ job per notification, carrying only the notification's
// job id. It wakes a worker, gives retries/delays a home and recovers stalled deliveries; the notification
// itself, its order and its fate live in our own records (redis-queue-store.ts).

import type { Writable } from "node:stream";
import { Job, type JobsOptions, type Queue } from "bullmq";
import type { ChainableCommander } from "ioredis";
import type { Destination } from "../config/types.ts";
import type { DeliveryTicket, JobRef } from "./delivery-store.ts";
import type { NotificationJob } from "./notification-job.ts";
import type { RedisQueueStore } from "./redis-queue-store.ts";

export const BULL_JOB_NAME = "deliver";

export interface ExecutorJobData {
  jobId: string;
  /** The notification's ordering key (a hint that saves the worker a read; jobs added before it lack it). */
  orderingKey?: string;
  /** Its destination (service name + recipient, no secrets): the worker resolves the service and its rate limit
   * before it claims, so claim, rate slot and attempt are one round trip. Jobs added before it lack it. */
  destination?: Destination;
  tenantNamespace?: string;
}

/** What a BullMQ job carries for a notification. */
export function executorJobData(job: NotificationJob): ExecutorJobData {
  const data: ExecutorJobData = {
    jobId: job.jobId,
    orderingKey: job.orderingKey,
    destination: { service: job.destination.service, recipient: job.destination.recipient },
  };
  if (job.tenantNamespace !== undefined) data.tenantNamespace = job.tenantNamespace;
  return data;
}

/** The delivery engine's ticket for a BullMQ job. */
export function executorTicket(data: ExecutorJobData, bullId: string): DeliveryTicket {
  const t: DeliveryTicket = { jobId: data.jobId, executorId: bullId, orderingKey: data.orderingKey ?? "" };
  if (data.destination) t.destination = data.destination;
  if (data.tenantNamespace !== undefined) t.tenantNamespace = data.tenantNamespace;
  return t;
}

export interface KeepCompleted {
  /** Seconds a completed BullMQ job record is kept. */
  age: number;
  /** At most this many completed records are kept. */
  count: number;
}

/**
 * Completed BullMQ jobs are removed at once: a notification's fate is in our own record (kept for the idempotency
 * TTL) and in the delivery history, never in BullMQ's. Keeping them (it kept 1,000 for an hour) cost BullMQ's
 * moveToFinished an age and a count trim on every completion: ~30 µs of Redis CPU per delivery, ~8 % of Redis's
 * share (bench/redis-commands-bench.ts). An enqueue repeated after delivery then adds a BullMQ job again, which
 * finds the record delivered and does nothing (as one whose id had been trimmed always did).
 */
export const DEFAULT_KEEP_COMPLETED: KeepCompleted = { age: 0, count: 0 };

/** Attempts/backoff for infrastructure errors only (Redis hiccups inside the processor); delivery retries are ours. */
export function executorJobOptions(
  bullId: string,
  keep: KeepCompleted = DEFAULT_KEEP_COMPLETED,
): JobsOptions {
  return {
    jobId: bullId,
    attempts: 5,
    backoff: { type: "exponential", delay: 1000 },
    removeOnComplete: { age: keep.age, count: keep.count },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** The BullMQ scripts an add runs (addJobToTransaction: a standard, delayed, prioritized or parent job). */
const ADD_SCRIPT = /^add(Standard|Delayed|Prioritized|Parent)Job(:|$)/;

type ScriptSet = Record<string, unknown>;
const addScriptsOf = new WeakMap<ScriptSet, { defined: number; adds: ScriptSet }>();

/** The add scripts among those defined on a client (recomputed when more are defined). */
function addScripts(all: ScriptSet): ScriptSet {
  const defined = Object.keys(all).length;
  const known = addScriptsOf.get(all);
  if (known?.defined === defined) return known.adds;
  const adds = Object.fromEntries(Object.entries(all).filter(([name]) => ADD_SCRIPT.test(name)));
  addScriptsOf.set(all, { defined, adds });
  return adds;
}

/**
 * A pipeline of BullMQ's own client: it can carry BullMQ's commands (see addExecutorTo). ioredis copies every
 * script defined on the client (BullMQ's 64, each twice) onto each new pipeline, ~50 µs per pipeline measured, a
 * fixed cost of every enqueue: while this pipeline is made, the client offers only BullMQ's add scripts.
 * `connection` is the client the queue was given; when BullMQ's client is another one, or no add script is
 * known by name, the pipeline is made as usual.
 */
export async function bullPipeline(queue: Queue, connection?: object): Promise<ChainableCommander> {
  const client = await queue.getBackend().client;
  const raw = connection as { scriptsSet?: ScriptSet } | undefined;
  const all = raw?.scriptsSet;
  const adds = all && (client as { scriptsSet?: unknown }).scriptsSet === all ? addScripts(all) : undefined;
  if (!raw || !all || !adds || Object.keys(adds).length === 0) {
    return client.pipeline() as unknown as ChainableCommander;
  }
  raw.scriptsSet = adds;
  try {
    return client.pipeline() as unknown as ChainableCommander;
  } finally {
    raw.scriptsSet = all;
  }
}

/**
 * Appends the BullMQ job of a notification to a pipeline from bullPipeline (what Queue.addBulk does, but in a
 * round trip shared with our own records). A BullMQ id that exists already is left alone, as by Queue.add.
 * Throws when no command was queued (BullMQ's add could not run on this pipeline): the enqueue must not go out
 * without its executor.
 */
export function addExecutorTo(
  queue: Queue,
  pipeline: ChainableCommander,
  data: ExecutorJobData,
  bullId: string,
  keep: KeepCompleted = DEFAULT_KEEP_COMPLETED,
): void {
  const job = new Job(queue, BULL_JOB_NAME, data, executorJobOptions(bullId, keep), bullId);
  const queued = pipeline.length;
  // the command is queued synchronously; its reply comes with the pipeline's
  void queue
    .getBackend()
    .addJobToTransaction(pipeline as never, job.asJSON(), bullId)
    .catch(() => {});
  if (pipeline.length !== queued + 1) throw new Error(`BullMQ did not queue the job of ${bullId}`);
}

/** A new BullMQ id for a job that needs a fresh executor (dead letter retried, executor lost). */
export function freshBullId(jobId: string, now: number): string {
  return `${jobId}~${now.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

/**
 * Runs the new head of an ordering key now (its predecessor just settled): its executor is normally parked in the
 * delayed set (promoted) or still waiting for a worker (left alone); active, it parks itself and looks at its key
 * again once delayed; lost, it is re-added (ensureRunnable). The promotion and the look at the executor's state
 * are one round trip (promoteOrState).
 */
export async function promoteNext(
  store: RedisQueueStore,
  queue: Queue,
  next: JobRef,
  opts: { keep?: KeepCompleted; onFailedExecutor?: (jobId: string, reason: string) => Promise<void> },
): Promise<void> {
  const { promoted, state } = await promoteOrState(queue, next.executorId);
  if (promoted) return;
  if (state !== "waiting" && state !== "active" && state !== "prioritized" && state !== "delayed") {
    await ensureRunnable(store, queue, next, { ...opts, promote: true });
  }
}

/**
 * Promotes a delayed BullMQ job and, in the same socket write, reads its state (what Job.promote and
 * Queue.getJobState do, sent together: the state says why a promotion found nothing to promote). Not an ioredis
 * pipeline: a pipeline copies every script BullMQ defined on the client, which costs more than the write it saves.
 * Falls back to the two calls one after the other where the pair cannot be sent this way.
 */
export async function promoteOrState(
  queue: Queue,
  bullId: string,
): Promise<{ promoted: true; state?: undefined } | { promoted: false; state: string }> {
  const backend = queue.getBackend() as unknown as PipelinedBackend;
  if (typeof backend.execCommand === "function" && backend.keys && !oldRedis(backend)) {
    const client = (await backend.client) as unknown as {
      stream?: Writable;
      status?: string;
      isCluster?: boolean;
    };
    const k = backend.keys;
    // both commands leave in one write (on a Cluster, where there is no one socket, in two)
    const stream = !client.isCluster && client.status === "ready" ? client.stream : undefined;
    stream?.cork();
    let promoting: Promise<unknown>;
    let reading: Promise<unknown>;
    try {
      promoting = Promise.resolve(
        backend.execCommand(client, "promote", [
          k.delayed,
          k.wait,
          k.paused,
          k.meta,
          k.prioritized,
          k.active,
          k.pc,
          k.events,
          k.marker,
          backend.toKey(""),
          bullId,
        ]),
      );
      reading = Promise.resolve(
        backend.execCommand(client, "getStateV2", [...STATE_KEYS.map((t) => backend.toKey(t)), bullId]),
      );
    } finally {
      stream?.uncork();
    }
    const [code, state] = await Promise.allSettled([promoting, reading]);
    if (code.status === "fulfilled" && code.value === 0) return { promoted: true };
    if (code.status === "fulfilled" && state.status === "fulfilled" && typeof state.value === "string") {
      return { promoted: false, state: state.value };
    }
  }
  try {
    await new Job(queue, BULL_JOB_NAME, {}, {}, bullId).promote();
    return { promoted: true };
  } catch {
    return { promoted: false, state: await queue.getJobState(bullId) };
  }
}

/** What promoteOrState uses of BullMQ's Redis backend (the calls Job.promote and Queue.getJobState make). */
interface PipelinedBackend {
  readonly client: Promise<unknown>;
  execCommand(client: unknown, name: string, args: unknown[]): unknown;
  keys: Record<
    "delayed" | "wait" | "paused" | "meta" | "prioritized" | "active" | "pc" | "events" | "marker",
    string
  >;
  toKey(type: string): string;
  redisVersion?: string;
  databaseType?: string;
}

/** The lists getStateV2 looks in, in its order (BullMQ's RedisQueueBackend.getState). */
const STATE_KEYS = [
  "completed",
  "failed",
  "delayed",
  "active",
  "wait",
  "paused",
  "waiting-children",
  "prioritized",
];

/** getStateV2 needs LPOS (Redis 6.0.6); BullMQ uses its older script below that. */
function oldRedis(b: PipelinedBackend): boolean {
  if (b.databaseType !== undefined && b.databaseType !== "redis") return false;
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(b.redisVersion ?? "");
  if (!m) return true;
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return maj < 6 || (maj === 6 && (min === 0 ? patch < 6 : false));
}

/**
 * Makes sure a queued notification has a BullMQ job that will run it soon: adds one when missing, promotes a
 * delayed one. Used when a job becomes the head of its ordering key and by the repair sweep. `ref.executorId` is
 * the executor the caller knows of (the record's is looked up when that one is not live).
 * Returns what it did (for logs/tests).
 */
export async function ensureRunnable(
  store: RedisQueueStore,
  queue: Queue,
  ref: JobRef | string,
  opts: {
    promote: boolean;
    keep?: KeepCompleted;
    onFailedExecutor?: (jobId: string, reason: string) => Promise<void>;
  },
): Promise<"not-queued" | "added" | "promoted" | "present"> {
  const known = typeof ref === "string" ? undefined : ref;
  const jobId = typeof ref === "string" ? ref : ref.jobId;
  let state = known ? await queue.getJobState(known.executorId) : undefined;
  let bullId = known?.executorId;
  if (state === undefined || state === "unknown" || state === "completed" || state === "failed") {
    const rec = await store.getRecord(jobId);
    if (rec?.state !== "queued" || !rec.job) return "not-queued";
    if (rec.bullId !== bullId) {
      bullId = rec.bullId;
      state = await queue.getJobState(bullId);
    }
    if (state === "unknown" || state === "completed") {
      // Lost (producer crashed between record and add) or finished without settling the record: run it again.
      const fresh = state === "unknown" ? rec.bullId : freshBullId(jobId, Date.now());
      if (fresh !== rec.bullId) await store.setBullId(jobId, fresh);
      await queue.add(BULL_JOB_NAME, executorJobData(rec.job), executorJobOptions(fresh, opts.keep));
      return "added";
    }
    if (state === "failed") {
      const job = await queue.getJob(rec.bullId);
      await opts.onFailedExecutor?.(jobId, job?.failedReason ?? "worker failed");
      return "present";
    }
  }
  if (state === "delayed" && opts.promote) {
    try {
      await new Job(queue, BULL_JOB_NAME, { jobId }, {}, bullId).promote();
      return "promoted";
    } catch {
      // it left the delayed set meanwhile: it runs anyway
    }
  }
  return "present";
}
