// Benchmark (b): the whole service. Rollout status writes (a canary step completing) go into the Kubernetes API
// test server; `rollouts-notifier run` (a child process) watches, detects, routes, renders, enqueues and
// delivers them to a local webhook sink. Measured: p50/p99 latency from the status write to the delivery at a
// fixed rate, and transitions/s at saturation (first write → last delivery of a burst).
import { type RedisDeployment, startRedis } from "../test/support/redis-server.ts";
import { DeliveryTracker } from "./delivery-tracker.ts";
import { startNotifierChild } from "./notifier-child.ts";
import { type PipelineRig, startPipelineRig } from "./pipeline-rig.ts";
import { watchProcess } from "./proc-stats.ts";
import { percentile, type RateResult, type SaturationResult, sleep } from "./stats.ts";
import { writeStepsAtRate, writeStepsFlat } from "./write-steps.ts";

export interface PipelineResult {
  rollouts: number;
  atRate: RateResult;
  /** The service process during the at-rate phase. */
  atRateProcess: { maxRssMb: number; cpuPercent: number; cpuMsPerDelivery: number };
  saturation: SaturationResult;
  /** Deliveries received twice (by Idempotency-Key) over the whole run; must be 0. */
  duplicates: number;
  /** Deliveries that matched no status write (must be 0). */
  unmatched: number;
}

/** One round and the latencies (ms) of its at-rate phase, for a caller that pools them over rounds. */
export interface PipelineRound extends PipelineResult {
  atRateLatenciesMs: number[];
}

export interface PipelineRoundOptions {
  rate: number;
  rateSeconds: number;
  burst: number;
  /** Writes at the rate before the measured phase (JIT, connection pools), not measured; default 1 s. */
  warmSeconds?: number;
  nodeArgs?: string[];
  /** Extra environment of the service (e.g. HISTORY_ENABLED=false). */
  env?: Record<string, string>;
  /** The Redis the service uses (default: one server); see redis-topology-bench.ts. */
  startRedis?: () => Promise<RedisDeployment>;
  log?: (msg: string) => void;
}

/** Set-up, one round, tear-down: benchmark (b) as `npm run bench` runs it. */
export async function runPipelineBench(
  opts: PipelineRoundOptions & { rollouts: number },
): Promise<PipelineResult> {
  const rig = await startPipelineRig({ rollouts: opts.rollouts });
  try {
    const { atRateLatenciesMs: _latencies, ...result } = await runPipelineRound(rig, opts);
    return result;
  } finally {
    await rig.stop();
  }
}

/**
 * One round on a rig (reset first): a fresh Redis and a fresh `rollouts-notifier run` child, warm-up, the
 * at-rate phase, a burst; the child and the Redis are stopped at the end.
 */
export async function runPipelineRound(rig: PipelineRig, opts: PipelineRoundOptions): Promise<PipelineRound> {
  const log = opts.log ?? (() => {});
  rig.reset();
  const rollouts = rig.world.rollouts.length;
  const redis = await (opts.startRedis ?? startRedis)();
  const tracker = new DeliveryTracker(rig.sink);
  const writer = rig.writer;
  const sink = rig.sink;
  const child = await startNotifierChild({
    kubeconfigPath: rig.api.kubeconfigPath,
    redisArgs: redis.serviceArgs,
    nodeArgs: opts.nodeArgs,
    env: {
      ...redis.serviceEnv,
      ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
      ...opts.env,
    },
  });
  try {
    await child.logged("informers synced");
    await child.ready();
    log(`(b) notifier ready with ${rollouts} Rollouts`);
    // Warm-up (JIT, connection pools): a short run at the rate, not measured.
    const warm = await writeStepsAtRate(writer, tracker, opts.rate, opts.warmSeconds ?? 1);
    await tracker.waitFor(warm, 30_000);
    tracker.takeLatencies();

    const proc = watchProcess(child.pid);
    const written = await writeStepsAtRate(writer, tracker, opts.rate, opts.rateSeconds);
    await tracker.waitFor(tracker.writtenCount, 60_000);
    const procStats = proc.stop();
    const lat = tracker.takeLatencies();
    const atRate: RateResult = {
      rate: opts.rate,
      count: written,
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
    };
    log(`(b) at ${opts.rate}/s: p50 ${atRate.p50Ms} ms, p99 ${atRate.p99Ms} ms`);
    await sleep(500);

    const burst = Math.min(opts.burst, writer.remaining());
    const t0 = performance.now();
    await writeStepsFlat(writer, tracker, burst);
    await tracker.waitFor(tracker.writtenCount, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    const satLat = tracker.takeLatencies();
    const saturation: SaturationResult = {
      count: burst,
      perSecond: burst / seconds,
      p50Ms: percentile(satLat, 50),
      p99Ms: percentile(satLat, 99),
    };
    log(`(b) saturation: ${Math.round(saturation.perSecond)} transitions/s over ${burst}`);
    await sleep(300);
    return {
      rollouts,
      atRate,
      atRateProcess: {
        maxRssMb: procStats.maxRssMb,
        cpuPercent: procStats.cpuPercent,
        cpuMsPerDelivery: (procStats.cpuSeconds * 1000) / Math.max(1, written),
      },
      saturation,
      duplicates: sink.duplicates(),
      unmatched: tracker.unmatched,
      atRateLatenciesMs: lat,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nnotifier output:\n${child.tail()}`);
  } finally {
    await child.terminate();
    await redis.stop();
  }
}
