// Benchmark (e): benchmark (b) — the whole service at saturation — with Redis as a Sentinel set (primary, replica,
// three sentinels: every enqueue and state write waits for the replica, `WAIT 1 100`) and as a three-primary
// Cluster, started as the tests start them (test/support/redis-server.ts). run.ts reports each as a ratio against
// (b) on one server, measured in the same run.
import { startRedisCluster, startSentinelSet } from "../test/support/redis-server.ts";
import { type PipelineResult, runPipelineBench } from "./pipeline-bench.ts";

export interface TopologyResult {
  topology: "sentinel" | "cluster";
  /** Deliveries/s at saturation (first write → last delivery of the burst). */
  perSecond: number;
  p50MsAtRate: number;
  p99MsAtRate: number;
  duplicates: number;
  unmatched: number;
  pipeline: PipelineResult;
}

export async function runRedisTopologyBench(opts: {
  rollouts: number;
  rate: number;
  rateSeconds: number;
  burst: number;
  nodeArgs?: string[];
  env?: Record<string, string>;
  log?: (msg: string) => void;
}): Promise<TopologyResult[]> {
  const log = opts.log ?? (() => {});
  const topologies = [
    { topology: "sentinel", startRedis: () => startSentinelSet() },
    { topology: "cluster", startRedis: () => startRedisCluster({ primaries: 3 }) },
  ] as const;
  const out: TopologyResult[] = [];
  for (const t of topologies) {
    log(`(e) ${t.topology}: the service with ${opts.rollouts} Rollouts`);
    const pipeline = await runPipelineBench({
      ...opts,
      startRedis: t.startRedis,
      log: (msg) => log(msg.replace(/^\(b\)/, `(e) ${t.topology}`)),
    });
    out.push({
      topology: t.topology,
      perSecond: pipeline.saturation.perSecond,
      p50MsAtRate: pipeline.atRate.p50Ms,
      p99MsAtRate: pipeline.atRate.p99Ms,
      duplicates: pipeline.duplicates,
      unmatched: pipeline.unmatched,
      pipeline,
    });
  }
  return out;
}
