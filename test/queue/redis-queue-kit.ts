// The durable queue's tests on a private redis-server (one per test file): the connections and queues a test
// makes are closed after it, and `setup()` gives a fresh queue with a way to start delivery workers on it
// (the tests' defaults: fast retries, a short head wait, 4 at a time).
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from "../../src/queue/delivery-worker.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { FAST_RETRY, type FakeSink, resolveService, silentLogger } from "./queue-test-kit.ts";

export interface QueueSetupOptions {
  queueName?: string;

  ownJobsPruneAt?: number;
}

/** Registers the file's hooks; call at the top level of a test file. `appendonly`: a server that can restart. */
export function useRedisQueues(opts: { appendonly?: boolean } = {}) {
  let redis: RedisHarness | undefined;
  const connections: Redis[] = [];
  const closers: (() => Promise<void>)[] = [];
  let queueSeq = 0;

  beforeAll(async () => {
    redis = await startRedis({ appendonly: opts.appendonly ?? false });
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
    for (const c of connections.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const conn = (): Redis => {
    const c = createRedisConnection(redis!.url);
    c.on("error", () => {}); // reconnects while a test has the server down
    connections.push(c);
    return c;
  };

  /** A queue name no other test of the file uses. */
  const freshQueueName = (): string => `q${++queueSeq}`;

  const setup = (opts: QueueSetupOptions = {}) => {
    const queueName = opts.queueName ?? freshQueueName();
    const queue = new RedisNotificationQueue({
      connection: conn(),
      queueName,
      settlePollMs: 20,
      ...(opts.ownJobsPruneAt !== undefined ? { ownJobsPruneAt: opts.ownJobsPruneAt } : {}),
    });
    closers.push(() => queue.close());
    const start = async (
      sink: FakeSink,
      extra: Partial<DeliveryWorkerOptions> = {},
    ): Promise<DeliveryWorker> => {
      const w = await startDeliveryWorker({
        connection: conn(),
        queueName,
        sinks: () => sink,
        resolveService,
        logger: silentLogger,
        retry: FAST_RETRY,
        concurrency: 4,
        ...extra,
      });
      closers.push(() => w.close({ force: true }));
      return w;
    };
    return { queue, start, queueName };
  };

  return {
    get redis(): RedisHarness {
      return redis!;
    },
    conn,
    /** The connections the current test has made so far. */
    connections: (): readonly Redis[] => connections,
    freshQueueName,
    setup,
    /** Runs after the current test (in reverse order of registration). */
    onClose(close: () => Promise<void>): void {
      closers.push(close);
    },
  };
}
