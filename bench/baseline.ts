// Benchmark (a): the raw limit of the same parts on this machine — BullMQ add → Worker → HTTP POST of ~1 KB
// to a local sink through a keep-alive undici Pool. Nothing of ours runs in between.
import { Queue, Worker } from "bullmq";
import { Pool } from "undici";
import { startRedis } from "../test/support/redis-server.ts";
import { type CpuSplit, measureCpuSplit } from "./cpu-split.ts";
import { startCountingSink } from "./sink-server.ts";
import { percentile, type RateResult, type SaturationResult, sleep } from "./stats.ts";

const BODY = JSON.stringify({ text: "x".repeat(1000) });

export async function runBaseline(opts: {
  jobs: number;
  rate: number;
  rateSeconds: number;
  concurrency: number;
}): Promise<{
  saturation: SaturationResult;
  /** CPU per delivery of this process (producer, worker, HTTP client, sink) and of Redis in the saturation run. */
  saturationCpu: CpuSplit;
  atRate: RateResult;
}> {
  const redis = await startRedis();
  const sink = await startCountingSink();
  const pool = new Pool(sink.url, { connections: opts.concurrency, pipelining: 1 });
  const connection = { host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null };
  const queue = new Queue("bench-baseline", { connection });
  const latencies: number[] = [];
  let delivered = 0;
  let onDelivered: (() => void) | undefined;
  const worker = new Worker(
    "bench-baseline",
    async (job) => {
      const res = await pool.request({
        path: "/hook",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...(job.data as object), pad: BODY }),
      });
      await res.body.dump();
      latencies.push(performance.now() - (job.data as { t: number }).t);
      delivered++;
      onDelivered?.();
    },
    { connection, concurrency: opts.concurrency, removeOnComplete: { count: 1000 } },
  );
  await worker.waitUntilReady();
  try {
    // Saturation: everything added at once, then drained.
    const cpu = await measureCpuSplit(redis.client());
    const t0 = performance.now();
    const batch = 500;
    for (let i = 0; i < opts.jobs; i += batch) {
      const n = Math.min(batch, opts.jobs - i);
      await queue.addBulk(
        Array.from({ length: n }, (_, k) => ({
          name: "d",
          data: { i: i + k, t: performance.now() },
          opts: { jobId: `s${i + k}` },
        })),
      );
    }
    await new Promise<void>((resolve) => {
      onDelivered = () => delivered >= opts.jobs && resolve();
      onDelivered();
    });
    const seconds = (performance.now() - t0) / 1000;
    const saturationCpu = await cpu.stop(opts.jobs);
    const saturation: SaturationResult = {
      count: opts.jobs,
      perSecond: opts.jobs / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };

    // Fixed rate: latency of single adds at opts.rate per second.
    latencies.length = 0;
    delivered = 0;
    const total = opts.rate * opts.rateSeconds;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      void queue.add("d", { i, t: performance.now() }, { jobId: `r${i}` });
    }
    await new Promise<void>((resolve) => {
      onDelivered = () => delivered >= total && resolve();
      onDelivered();
    });
    const atRate: RateResult = {
      rate: opts.rate,
      count: total,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
    return { saturation, saturationCpu, atRate };
  } finally {
    await worker.close();
    await queue.close();
    await pool.close();
    await sink.close();
    await redis.stop();
  }
}
