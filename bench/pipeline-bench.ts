// Benchmark (b): the whole service. Rollout status writes (a canary step completing) go into the Kubernetes API
// test server; `rollouts-notifier run` (a child process) watches, detects, routes, renders, enqueues and
// delivers them to a local webhook sink. Measured: p50/p99 latency from the status write to the delivery at a
// fixed rate, and transitions/s at saturation (first write → last delivery of a burst).
import { startKubeApiServer } from "../test/support/kube-api-server/index.ts";
import { type RedisDeployment, startRedis } from "../test/support/redis-server.ts";
import { DeliveryTracker } from "./delivery-tracker.ts";
import { cacheListSnapshots } from "./list-snapshot-cache.ts";
import { startNotifierChild } from "./notifier-child.ts";
import { watchProcess } from "./proc-stats.ts";
import { startCountingSink } from "./sink-server.ts";
import { percentile, type RateResult, type SaturationResult, sleep } from "./stats.ts";
import { loadNotifierConfig, loadWorld, SERVICE_NAMESPACE, StepWriter } from "./world.ts";
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

export async function runPipelineBench(opts: {
  rollouts: number;
  rate: number;
  rateSeconds: number;
  burst: number;
  nodeArgs?: string[];
  /** Extra environment of the service (e.g. HISTORY_ENABLED=false). */
  env?: Record<string, string>;
  /** The Redis the service uses (default: one server); see redis-topology-bench.ts. */
  startRedis?: () => Promise<RedisDeployment>;
  log?: (msg: string) => void;
}): Promise<PipelineResult> {
  const log = opts.log ?? (() => {});
  const redis = await (opts.startRedis ?? startRedis)();
  const sink = await startCountingSink();
  const api = await startKubeApiServer({ namespaces: [SERVICE_NAMESPACE] });
  cacheListSnapshots(api);
  loadNotifierConfig(api, sink.url);
  const world = loadWorld(api, { rollouts: opts.rollouts, runsPerRollout: 0, namespaces: 20 });
  const tracker = new DeliveryTracker(sink);
  const writer = new StepWriter(api, world.rollouts);
  const child = await startNotifierChild({
    kubeconfigPath: api.kubeconfigPath,
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
    log(`(b) notifier ready with ${opts.rollouts} Rollouts`);
    // Warm-up (JIT, connection pools): a short run at the rate, not measured.
    const warm = await writeStepsAtRate(writer, tracker, opts.rate, 1);
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
      rollouts: opts.rollouts,
      atRate,
      atRateProcess: {
        maxRssMb: procStats.maxRssMb,
        cpuPercent: procStats.cpuPercent,
        cpuMsPerDelivery: (procStats.cpuSeconds * 1000) / Math.max(1, written),
      },
      saturation,
      duplicates: sink.duplicates(),
      unmatched: tracker.unmatched,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nnotifier output:\n${child.tail()}`);
  } finally {
    await child.terminate();
    await api.stop();
    await sink.close();
    await redis.stop();
  }
}
