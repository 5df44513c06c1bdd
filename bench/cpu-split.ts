// Where the CPU of a saturation burst goes besides the service: the benchmark's own process (this one: the
// Kubernetes API test server, the status writer and the webhook sink for (b); producer, worker, HTTP client and sink
// for the baseline (a)) and the Redis server (INFO cpu: its main thread and I/O threads). Per delivery, so the
// ceiling the machine puts on the service can be computed: with `cores` cores shared by all of them, deliveries/s
// cannot exceed cores × 1000 / (harness + Redis + service ms per delivery).
import type { RedisClient } from "../src/redis/redis-connection.ts";

export interface CpuSplit {
  /** CPU ms of the benchmark's own process per delivery. */
  harnessMsPerDelivery: number;
  /** CPU ms of the Redis server per delivery (undefined on a Cluster: several servers). */
  redisMsPerDelivery: number | undefined;
}

async function redisCpuMs(client: RedisClient): Promise<number | undefined> {
  if (client.isCluster) return undefined;
  const info = await client.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  const seconds = field("used_cpu_sys") + field("used_cpu_user");
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** Starts measuring now; `stop(deliveries)` gives the split per delivery since. */
export async function measureCpuSplit(
  redis: RedisClient,
): Promise<{ stop(deliveries: number): Promise<CpuSplit> }> {
  const self0 = process.cpuUsage();
  const redis0 = await redisCpuMs(redis);
  return {
    async stop(deliveries) {
      const self = process.cpuUsage(self0);
      const redis1 = await redisCpuMs(redis);
      const n = Math.max(1, deliveries);
      return {
        harnessMsPerDelivery: (self.user + self.system) / 1000 / n,
        redisMsPerDelivery: redis0 !== undefined && redis1 !== undefined ? (redis1 - redis0) / n : undefined,
      };
    },
  };
}

/**
 * Deliveries/s of (b) if the service itself took no CPU: the cores, shared by the harness and Redis at their
 * per-delivery cost in the burst (an upper bound: it assumes every core fully used, no waiting).
 */
export function ceilingPerSecond(cores: number, split: CpuSplit): number | undefined {
  if (split.redisMsPerDelivery === undefined) return undefined;
  return (cores * 1000) / (split.harnessMsPerDelivery + split.redisMsPerDelivery);
}
