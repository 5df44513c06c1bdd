// Benchmark (b): the whole service. Rollout status writes (a canary step completing) go into the Kubernetes API
// test server; `rollouts-notifier run` (a child process) watches, detects, routes, renders, enqueues and
// delivers them to a local webhook sink. Measured: p50/p99 latency from the status write to the delivery at a
// fixed rate, and transitions/s at saturation (first write → last delivery of a burst).
import { type RedisDeployment, startRedis } from "../test/support/redis-server.ts";
import { type CpuSplit, measureCpuSplit } from "./cpu-split.ts";
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
  /**
   * The service process(es) during the burst (CPU per delivery at saturation: the limit when its thread is busy);
   * with `split`, the two processes together.
   */
  saturationProcess: { cpuPercent: number; cpuMsPerDelivery: number };
  /**
   * The rest of the burst's CPU per delivery: the benchmark's own process (the Kubernetes API test server with
   * the service's watches and Events, the status writer, the webhook sink) and Redis.
   */
  saturationHarness: CpuSplit;
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
  /**
   * The chart's split deployment (worker.enabled): a `watcher` process and a `worker` process instead of one
   * `run` process. The at-rate process figures are then the two processes' together.
   */
  split?: boolean;
  /** The Redis the service uses (default: one server); see redis-topology-bench.ts. */
  startRedis?: () => Promise<RedisDeployment>;
  /** Started with the service's process ids as the burst starts, stopped with its deliveries as it ends. */
  burstProbe?: (pids: number[]) => { stop(deliveries: number): void };
  log?: (msg: string) => void;
}

/** watchProcess over the service's processes (one, or the split deployment's two): their sums. */
function watchProcesses(pids: number[]) {
  const watches = pids.map((pid) => watchProcess(pid));
  return {
    stop() {
      const each = watches.map((w) => w.stop());
      const sum = (field: "maxRssMb" | "cpuPercent" | "cpuSeconds") => each.reduce((n, p) => n + p[field], 0);
      return { maxRssMb: sum("maxRssMb"), cpuPercent: sum("cpuPercent"), cpuSeconds: sum("cpuSeconds") };
    },
  };
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
  const startChild = (mode: "run" | "watcher" | "worker") =>
    startNotifierChild({
      kubeconfigPath: rig.api.kubeconfigPath,
      redisArgs: redis.serviceArgs,
      nodeArgs: opts.nodeArgs,
      mode,
      podName: mode === "run" ? "bench" : `bench-${mode}`,
      env: {
        ...redis.serviceEnv,
        ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
        ...opts.env,
      },
    });
  const children = opts.split
    ? [await startChild("watcher"), await startChild("worker")]
    : [await startChild("run")];
  const child = children[0]!;
  try {
    await child.logged("informers synced");
    for (const c of children) await c.ready();
    log(`(b) notifier ready with ${rollouts} Rollouts`);
    // Warm-up (JIT, connection pools): a short run at the rate, not measured.
    const warm = await writeStepsAtRate(writer, tracker, opts.rate, opts.warmSeconds ?? 1);
    await tracker.waitFor(warm, 30_000);
    tracker.takeLatencies();

    const procs = watchProcesses(children.map((c) => c.pid));
    const written = await writeStepsAtRate(writer, tracker, opts.rate, opts.rateSeconds);
    await tracker.waitFor(tracker.writtenCount, 60_000);
    const procStats = procs.stop();
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
    const harnessCpu = await measureCpuSplit(redis.client());
    const t0 = performance.now();
    const burstProcs = watchProcesses(children.map((c) => c.pid));
    const probe = opts.burstProbe?.(children.map((c) => c.pid));
    await writeStepsFlat(writer, tracker, burst);
    await tracker.waitFor(tracker.writtenCount, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    const burstStats = burstProcs.stop();
    probe?.stop(burst);
    const saturationHarness = await harnessCpu.stop(burst);
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
      saturationProcess: {
        cpuPercent: burstStats.cpuPercent,
        cpuMsPerDelivery: (burstStats.cpuSeconds * 1000) / Math.max(1, burst),
      },
      saturationHarness,
      duplicates: sink.duplicates(),
      unmatched: tracker.unmatched,
      atRateLatenciesMs: lat,
    };
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nnotifier output:\n${children.map((c) => c.tail()).join("\n")}`,
    );
  } finally {
    await Promise.all(children.map((c) => c.terminate()));
    await redis.stop();
  }
}
