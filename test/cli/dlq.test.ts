// `rollouts-notifier dlq` against a real Redis: list (table and JSON), retry one / --all, purge, and errors.
import { Command } from "commander";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DlqIO, registerDlqCommand } from "../../src/cli/commands/dlq.ts";
import { DeliveryHistory } from "../../src/history/delivery-history.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../src/queue/delivery-worker.ts";
import type { DeadLetter } from "../../src/queue/notification-queue.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { historyKeys } from "../../src/redis/keys.ts";
import { createRedisConnection } from "../../src/redis/redis-connection.ts";
import {
  FAST_RETRY,
  FakeSink,
  makeJob,
  permanent,
  resolveService,
  silentLogger,
} from "../queue/queue-test-kit.ts";
import { freePort } from "../support/free-port.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

let redis: RedisHarness;
let queue: RedisNotificationQueue;
let worker: DeliveryWorker;
const sink = new FakeSink();
let failing = new Set<string>();
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const conn = () => {
    const c = createRedisConnection(redis.url);
    connections.push(c);
    return c;
  };
  queue = new RedisNotificationQueue({ connection: conn(), settlePollMs: 20 });
  sink.plan = (id) => (failing.has(id) ? permanent("http-404", "channel_not_found") : undefined);
  worker = await startDeliveryWorker({
    connection: conn(),
    sinks: () => sink,
    resolveService,
    logger: silentLogger,
    retry: FAST_RETRY,
    rateLimitFor: () => undefined,
  });
});
afterAll(async () => {
  await worker.close();
  await queue.close();
  for (const c of connections) c.disconnect();
  await redis.stop();
});

async function dlq(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  let code = 0;
  const io: DlqIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command("rollouts-notifier").exitOverride();
  registerDlqCommand(program, io);
  await program.parseAsync(["node", "rollouts-notifier", "dlq", ...args]);
  return { code, out, err };
}

async function deadLetter(rollouts: string[]) {
  const jobs = rollouts.map((r) =>
    makeJob({ rollout: r, destination: { service: "slack", recipient: "ops" } }),
  );
  failing = new Set(jobs.map((j) => j.jobId));
  await queue.enqueue(jobs);
  await queue.waitUntilSettled(jobs.map((j) => j.jobId));
  return jobs;
}

describe("dlq", () => {
  it("lists, retries one and all, purges", async () => {
    const [a, b] = await deadLetter(["cli-a", "cli-b"]);
    const table = await dlq(["list", "--redis-url", redis.url]);
    expect(table.code).toBe(0);
    expect(table.out).toContain(a!.jobId);
    expect(table.out).toContain("http-404: channel_not_found");
    expect(table.out).toContain("2 dead letter(s)");

    const json = await dlq(["list", "--json"], { REDIS_URL: redis.url });
    const letters = JSON.parse(json.out) as DeadLetter[];
    expect(letters.map((l) => l.id).sort()).toEqual([a!.jobId, b!.jobId].sort());
    expect(letters[0]).toMatchObject({ attempts: 1, reason: { code: "http-404", transient: false } });

    failing = new Set();
    expect(await dlq(["retry", a!.jobId, "--redis-url", redis.url])).toMatchObject({
      code: 0,
      out: `retried ${a!.jobId}\n`,
    });
    expect(await queue.waitUntilSettled([a!.jobId])).toMatchObject({ delivered: [a!.jobId] });
    expect(await queue.countDeadLetters()).toBe(1);

    expect(await dlq(["retry", "--all", "--redis-url", redis.url])).toMatchObject({
      code: 0,
      out: "retried 1 dead letter(s)\n",
    });
    expect(await queue.waitUntilSettled([b!.jobId])).toMatchObject({ delivered: [b!.jobId] });
    expect((await dlq(["list", "--redis-url", redis.url])).out).toBe("no dead letters\n");

    const [c] = await deadLetter(["cli-c"]);
    expect(await dlq(["purge", "--redis-url", redis.url])).toMatchObject({
      code: 0,
      out: "purged 1 dead letter(s)\n",
    });
    expect(await queue.countDeadLetters()).toBe(0);
    // Purged ids stay known: the watcher re-enqueueing the same transition does not resurrect it.
    expect(await queue.enqueue([c!])).toEqual({ enqueued: [], duplicates: [c!.jobId] });
    expect(sink.delivered().map((d) => d.jobId)).not.toContain(c!.jobId);
  });

  it("lists and purges by filter or one id, each purge in the delivery history with who did it", async () => {
    const [x, y, z] = await deadLetter(["cli-x", "cli-y", "cli-z"]);
    const listed = async (args: string[]) =>
      (JSON.parse((await dlq(["list", "--json", ...args, "--redis-url", redis.url])).out) as DeadLetter[])
        .map((l) => l.id)
        .sort();
    expect(await listed(["--rollout", "app-cli-y"])).toEqual([y!.jobId]);
    expect(await listed(["--namespace", "shop", "--service", "slack"])).toEqual(
      [x!.jobId, y!.jobId, z!.jobId].sort(),
    );
    expect(await listed(["--namespace", "elsewhere"])).toEqual([]);

    expect(await dlq(["purge", y!.jobId, "--author", "ana", "--redis-url", redis.url])).toMatchObject({
      code: 0,
      out: `purged ${y!.jobId}\n`,
    });
    expect(await dlq(["purge", y!.jobId, "--redis-url", redis.url])).toMatchObject({
      code: 1,
      err: `dlq purge: no dead letter with id ${JSON.stringify(y!.jobId)}\n`,
    });
    expect((await dlq(["purge", x!.jobId, "--rollout", "app-cli-x", "--redis-url", redis.url])).code).toBe(2);
    expect(
      await dlq(["purge", "--rollout", "app-cli-x", "--author", "ana", "--redis-url", redis.url]),
    ).toMatchObject({ code: 0, out: "purged 1 dead letter(s) (rollout=app-cli-x)\n" });
    expect(await listed([])).toEqual([z!.jobId]);

    const history = new DeliveryHistory(connections[0]!);
    for (const id of [x!.jobId, y!.jobId]) {
      const h = await connections[0]!.hgetall(historyKeys.notification(id));
      expect(h).toMatchObject({ outcome: "purged", detail: "purged by cli:ana" });
    }
    expect((await connections[0]!.hget(historyKeys.notification(z!.jobId), "outcome")) ?? null).toBeNull();
    expect(await history.notification(z!.jobId)).toBeUndefined();
    expect((await dlq(["purge", "--redis-url", redis.url])).out).toBe("purged 1 dead letter(s)\n");
  });

  it("fails clearly: unknown id (1), bad usage (2), no Redis URL (2), unreachable Redis (1, no password shown)", async () => {
    expect(await dlq(["retry", "nope", "--redis-url", redis.url])).toMatchObject({
      code: 1,
      err: 'dlq retry: no dead letter with id "nope"\n',
    });
    expect((await dlq(["retry", "--redis-url", redis.url])).code).toBe(2);
    expect((await dlq(["retry", "x", "--all", "--redis-url", redis.url])).code).toBe(2);
    expect(await dlq(["list"])).toMatchObject({
      code: 2,
      err: "dlq: no Redis: pass --redis-url or set REDIS_URL\n",
    });
    const port = await freePort();
    const down = await dlq(["list", "--redis-url", `redis://:hunter2secret@127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.err).toContain(`Redis at 127.0.0.1:${port}`);
    expect(down.err).not.toContain("hunter2secret");
  });
});
