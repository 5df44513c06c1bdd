// kill -9 of `rollouts-notifier run` at random moments while Rollouts progress: every transition is
// emitted (recorded in the transition log) exactly once, in order. (Writes made while the service is down are
// covered in transition-watcher.test.ts; here the kill lands anywhere in the handling of a write.) KILL_RUNS (default 50) runs, each a fresh
// Rollout playing the canary abort/retry history with the process killed at a random point; KILL_SEED replays.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { HISTORIES } from "../replay/expected-histories.ts";
import { applyStep, readHistory, renameHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type NotifierProcess, startNotifierProcess } from "../support/notifier-process.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { seededRandom, seedFromEnv } from "../support/seeded-random.ts";

const RUNS = Number(process.env.KILL_RUNS ?? 50);
const CANARY = readHistory("examples/histories/canary-abort-retry.yaml");
const EXPECTED = HISTORIES["canary-abort-retry.yaml"]!;

describe("watcher under kill -9", () => {
  let redis: RedisHarness;
  let api: KubeApiServer;
  let child: NotifierProcess | undefined;
  const children: NotifierProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    api = await startKubeApiServer({
      namespaces: ["default", "argo-rollouts", "demo"],
      bookmarkIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await child?.kill9();
    await api.stop();
    await redis.stop();
  });

  const start = async () => {
    child = startNotifierProcess(
      [
        "run",
        "--kubeconfig",
        api.kubeconfigPath,
        "--redis-url",
        redis.url,
        "--http-port",
        "0",
        "--namespace",
        "argo-rollouts",
      ],
      // a container restarted after a crash keeps its pod name, so it takes its own Lease back at once
      { POD_NAME: "rollouts-notifier-0" },
    );
    children.push(child);
    await child.waitForLog((l) => l.msg === "informers synced");
    return child;
  };

  it(`emits every transition exactly once across ${RUNS} random kills`, { timeout: 600_000 }, async () => {
    const seed = seedFromEnv("KILL_SEED");
    const random = seededRandom(seed);
    await start();
    for (let run = 0; run < RUNS; run++) {
      const steps = renameHistory(CANARY, `k${run}`);
      const killAt = Math.floor(random() * steps.length);
      const killDelayMs = Math.floor(random() * 40);
      for (const [i, step] of steps.entries()) {
        applyStep(api, step);
        if (i === killAt) {
          // kill somewhere inside the handling of this write: before, during or after hand-off/state save
          await new Promise((r) => setTimeout(r, killDelayMs));
          await child!.kill9();
          await start();
        }
        await new Promise((r) => setTimeout(r, 8));
      }
    }
    // let the last process catch up, then read what was emitted
    const client = new Redis(redis.port, "127.0.0.1");
    const log = new TransitionLog(client);
    const byRollout = new Map<string, string[]>();
    const deadline = Date.now() + 20_000;
    for (;;) {
      byRollout.clear();
      for (const r of await log.list(100_000)) {
        const name = (r.transition.rollout ?? r.transition.object).name;
        if (r.transition.trigger === "on-scaling-replica-set") continue;
        byRollout.set(name, [...(byRollout.get(name) ?? []), r.transition.trigger]);
      }
      const done = [...byRollout.values()].filter((t) => t.length >= EXPECTED.length).length;
      if (done >= RUNS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = (await log.list(100_000)).map((r) => r.transition.id);
    client.disconnect();
    expect(new Set(ids).size, `duplicate transition ids (seed ${seed})`).toBe(ids.length);
    // each process logs the transitions it emitted as JSON; across all of them no transition is logged twice
    const logged = children.flatMap((c) =>
      c.logs.filter((l) => l.msg === "transition").map((l) => (l.transition as { id: string }).id),
    );
    expect(new Set(logged).size, `a transition was logged twice (seed ${seed})`).toBe(logged.length);
    for (let run = 0; run < RUNS; run++) {
      const name = `${CANARY[0]!.object.metadata.name}-k${run}`;
      expect(byRollout.get(name), `run ${run} (seed ${seed})`).toEqual(EXPECTED);
    }
  });
});
