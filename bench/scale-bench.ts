// Benchmarks (c) and (d): the service watching a large cluster (10,000 Rollouts, 30,000 AnalysisRuns, sizes of
// the controller-written fixtures), as a child process.
//   (c) RSS and CPU seconds of the service process idle and at a fixed rate of transitions;
//   (d) restart: SIGTERM, a few step changes while it is down, start again with the saved state in Redis; time
//       from process start to /readyz 200 and to "informers synced", and duplicate deliveries (by
//       Idempotency-Key at the sink) over the whole run — must be 0 — and changes made while down not delivered.
import { watchKeyPrefix, watchKeys } from "../src/redis/keys.ts";
import { startKubeApiServer } from "../test/support/kube-api-server/index.ts";
import { startRedis } from "../test/support/redis-server.ts";
import { DeliveryTracker } from "./delivery-tracker.ts";
import { cacheListSnapshots } from "./list-snapshot-cache.ts";
import { startNotifierChild } from "./notifier-child.ts";
import { sampleProcess, watchProcess } from "./proc-stats.ts";
import { startCountingSink } from "./sink-server.ts";
import { percentile, sleep } from "./stats.ts";
import { loadNotifierConfig, loadWorld, SERVICE_NAMESPACE, StepWriter } from "./world.ts";
import { writeStepsAtRate, writeStepsFlat } from "./write-steps.ts";

export interface ProcessWindow {
  seconds: number;
  maxRssMb: number;
  endRssMb: number;
  cpuSeconds: number;
  /** CPU seconds per wall second × 100 (100 = one core busy). */
  cpuPercent: number;
}

export interface ScaleResult {
  rollouts: number;
  analysisRuns: number;
  rolloutBytes: number;
  analysisRunBytes: number;
  /** First start (no saved state): spawn → "informers synced" (ms). */
  coldSyncMs: number;
  /** CPU seconds the service used from spawn to "informers synced" (less dependent on a loaded host). */
  coldSyncCpuSeconds: number;
  idle: ProcessWindow;
  atRate: ProcessWindow & { rate: number; count: number; p50Ms: number; p99Ms: number };
  restart: {
    savedStates: number;
    /** spawn → first /readyz 200 (ms). */
    readyMs: number;
    /** spawn → "informers synced" (ms): the watcher is detecting again. */
    syncedMs: number;
    /** CPU seconds the service used from spawn to "informers synced". */
    syncCpuSeconds: number;
    /** Step changes written while the service was down, and how many of them were delivered after the restart. */
    changedWhileDown: number;
    deliveredAfterRestart: number;
    /** RSS right after the restart's sync. */
    rssMb: number;
  };
  /** Deliveries received more than once (by Idempotency-Key) over the whole run. */
  duplicates: number;
  unmatched: number;
}

export async function runScaleBench(opts: {
  rollouts: number;
  runsPerRollout: number;
  rate: number;
  seconds: number;
  changedWhileDown: number;
  nodeArgs?: string[];
  /** Extra environment of the service (the chart's MALLOC_* settings). */
  env?: Record<string, string>;
  log?: (msg: string) => void;
}): Promise<ScaleResult> {
  const log = opts.log ?? (() => {});
  const redis = await startRedis();
  const sink = await startCountingSink();
  const api = await startKubeApiServer({ namespaces: [SERVICE_NAMESPACE] });
  cacheListSnapshots(api);
  loadNotifierConfig(api, sink.url);
  const t0 = performance.now();
  const world = loadWorld(api, {
    rollouts: opts.rollouts,
    runsPerRollout: opts.runsPerRollout,
    namespaces: Math.max(1, Math.round(opts.rollouts / 100)),
  });
  log(
    `(c) loaded ${world.rollouts.length} Rollouts + ${world.analysisRuns} AnalysisRuns in ${Math.round(performance.now() - t0)} ms`,
  );
  const tracker = new DeliveryTracker(sink);
  const writer = new StepWriter(api, world.rollouts);
  const env: Record<string, string> = {
    ...opts.env,
    ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
  };
  let child = await startNotifierChild({
    kubeconfigPath: api.kubeconfigPath,
    redisArgs: redis.serviceArgs,
    nodeArgs: opts.nodeArgs,
    env,
  });
  try {
    const synced = await child.logged("informers synced", 300_000);
    const coldSyncCpuSeconds = sampleProcess(child.pid).cpuSeconds;
    const coldSyncMs = synced - child.startedAt;
    await child.ready();
    log(`(c) cold start synced in ${Math.round(coldSyncMs)} ms (${coldSyncCpuSeconds.toFixed(1)} s CPU)`);

    await sleep(3_000); // let the start-up garbage settle
    const idleWindow = watchProcess(child.pid);
    await sleep(opts.seconds * 1000);
    const idle = idleWindow.stop();
    log(`(c) idle: RSS ${idle.endRssMb.toFixed(0)} MB, CPU ${idle.cpuPercent.toFixed(1)} %`);

    // Warm-up (JIT, connection pools, the delivery path's first run), as in (b): a short run at the rate, not
    // measured. Without it the first second of the window holds the service's first deliveries ever.
    await writeStepsAtRate(writer, tracker, opts.rate, 1);
    await tracker.waitFor(tracker.writtenCount, 60_000);
    tracker.takeLatencies();

    const rateWindow = watchProcess(child.pid);
    const written = await writeStepsAtRate(writer, tracker, opts.rate, opts.seconds);
    await tracker.waitFor(tracker.writtenCount, 120_000);
    const busy = rateWindow.stop();
    const lat = tracker.takeLatencies();
    const atRate = {
      ...busy,
      rate: opts.rate,
      count: written,
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
    };
    log(
      `(c) at ${opts.rate}/s: RSS max ${busy.maxRssMb.toFixed(0)} MB, CPU ${busy.cpuPercent.toFixed(1)} %, p99 ${atRate.p99Ms} ms`,
    );

    // (d) graceful stop, changes while down, start again on the saved state.
    await child.terminate();
    const client = redis.client();
    const savedStates = await client.hlen(watchKeys.objectStates(watchKeyPrefix(client)));
    const beforeDown = tracker.deliveredCount;
    const down = await writeStepsFlat(writer, tracker, opts.changedWhileDown);
    child = await startNotifierChild({
      kubeconfigPath: api.kubeconfigPath,
      redisArgs: redis.serviceArgs,
      nodeArgs: opts.nodeArgs,
      env,
    });
    const readyAt = await child.ready(300_000);
    const syncedAt = await child.logged("informers synced", 300_000);
    const syncCpuSeconds = sampleProcess(child.pid).cpuSeconds;
    const rssAfter = watchProcess(child.pid).stop().endRssMb;
    await tracker.waitFor(beforeDown + down, 60_000).catch(() => {});
    await sleep(2_000); // anything delivered twice would show by now
    const restart = {
      savedStates,
      readyMs: readyAt - child.startedAt,
      syncedMs: syncedAt - child.startedAt,
      syncCpuSeconds,
      changedWhileDown: down,
      deliveredAfterRestart: tracker.deliveredCount - beforeDown,
      rssMb: rssAfter,
    };
    log(
      `(d) restart with ${savedStates} saved states: ready ${Math.round(restart.readyMs)} ms, synced ${Math.round(restart.syncedMs)} ms (${syncCpuSeconds.toFixed(1)} s CPU), ${restart.deliveredAfterRestart}/${down} changes made while down delivered, ${sink.duplicates()} duplicates`,
    );
    return {
      rollouts: world.rollouts.length,
      analysisRuns: world.analysisRuns,
      rolloutBytes: world.rolloutBytes,
      analysisRunBytes: world.analysisRunBytes,
      coldSyncMs,
      coldSyncCpuSeconds,
      idle,
      atRate,
      restart,
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
