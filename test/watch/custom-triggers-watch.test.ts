// Custom ConfigMap triggers fire in the live watcher like built-ins: once per oncePer value, in order.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configuredDetectors } from "../../src/app/configured-detectors.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { TransitionWatcher } from "../../src/watch/transition-watcher.ts";
import { applyStep, readHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { eventually, silentLogger } from "./watcher-harness.ts";

describe("custom triggers in the watcher", () => {
  let redis: RedisHarness;
  let api: KubeApiServer;
  beforeAll(async () => {
    redis = await startRedis();
    api = await startKubeApiServer();
  });
  afterAll(async () => {
    await api.stop();
    await redis.stop();
  });

  it("fires a ConfigMap trigger when its condition becomes true, once per oncePer value", async () => {
    const { config, errors } = loadNotifierConfig(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" },
        data: {
          "trigger.on-aborted-custom":
            "- when: rollout.status.abort == true and rollout.status.abortedAt != nil\n  oncePer: rollout.status.abortedAt\n  send: [rollout-aborted]\n",
        },
      },
      undefined,
    );
    expect(errors).toEqual([]);
    const client = new Redis(redis.port, "127.0.0.1", { maxRetriesPerRequest: null });
    const log = new TransitionLog(client, { prefix: "ct" });
    const problems: string[] = [];
    const watcher = new TransitionWatcher({
      kc: api.kubeConfig(),
      redis: client,
      logger: silentLogger,
      keyPrefix: "ct",
      detectors: configuredDetectors({
        configFor: () => config,
        reportProblems: (_uid, ps) => problems.push(...ps.map((p) => p.message)),
      }),
      handOff: async (transitions) => {
        await log.record(transitions);
      },
    });
    const handled = new Map<string, number>();
    await watcher.start();
    const history = readHistory("examples/histories/canary-abort-retry.yaml");
    for (const step of history) {
      const written = applyStep(api, step);
      const rv = Number(written?.metadata.resourceVersion ?? 0);
      await eventually(async () => {
        await watcher.idle();
        const obj = watcher.getRollout(written!.metadata.namespace!, written!.metadata.name);
        handled.set("rv", Number(obj?.metadata.resourceVersion ?? 0));
        return (handled.get("rv") ?? 0) >= rv;
      });
      await watcher.idle();
    }
    const triggers = (await log.list())
      .map((r) => r.transition.trigger)
      .filter((t) => t !== "on-scaling-replica-set");
    // the controller writes abortedAt in the update after the abort: the custom trigger fires then, once, before
    // the retried step completes
    expect(triggers.filter((t) => t === "on-aborted-custom")).toHaveLength(1);
    expect(triggers.indexOf("on-aborted-custom")).toBe(triggers.indexOf("on-rollout-aborted") + 1);
    expect(triggers.slice(triggers.indexOf("on-aborted-custom") + 1)[0]).toBe("on-rollout-step-completed");
    expect(problems).toEqual([]);
    watcher.stop();
    client.disconnect();
  });
});
