// The condition path of a built-in trigger in the live watcher, across a crash and a leader change: its state is
// in Redis with the object's detection state (never in an annotation of the user's Rollout), so
// `on-rollout-completed` with `when: rollout.status.phase == 'Healthy'` is emitted once per completed revision.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configuredDetectors } from "../../src/app/configured-detectors.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { TransitionWatcher } from "../../src/watch/transition-watcher.ts";
import { configMap } from "../config/load-examples.ts";
import { applyStep, type HistoryStep, readHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { eventually, silentLogger } from "./watcher-harness.ts";

const PREFIX = "cp";

describe("condition path in the watcher", () => {
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

  it("once per completed revision across a crash after the hand-off, leader changes and an autoscaler flicker", async () => {
    const { config, errors } = loadNotifierConfig(
      configMap({
        "template.t": "message: x",
        "trigger.on-rollout-completed": "- when: rollout.status.phase == 'Healthy'\n  send: [t]\n",
      }),
      undefined,
    );
    expect(errors).toEqual([]);
    const clients: Redis[] = [];
    const handedOff: Transition[] = [];
    let crashOnce = true;

    const start = async () => {
      const client = new Redis(redis.port, "127.0.0.1", { maxRetriesPerRequest: null });
      client.on("error", () => {});
      clients.push(client);
      const log = new TransitionLog(client, { prefix: PREFIX });
      const watcher: TransitionWatcher = new TransitionWatcher({
        kc: api.kubeConfig(),
        redis: client,
        logger: silentLogger,
        keyPrefix: PREFIX,
        detectors: configuredDetectors({ configFor: () => config, reportProblems: () => {} }),
        handOff: async (transitions) => {
          handedOff.push(...transitions);
          await log.record(transitions);
          // the first condition-path hand-off: the process dies before the object's state is saved
          if (crashOnce && transitions.some((t) => t.path === "condition")) {
            crashOnce = false;
            watcher.stop();
            throw new Error("killed");
          }
        },
      });
      await watcher.start();
      return { watcher, log };
    };

    const play = async (w: { watcher: TransitionWatcher }, steps: HistoryStep[]) => {
      for (const step of steps) {
        const written = applyStep(api, step)!;
        const rv = Number(written.metadata.resourceVersion);
        await eventually(async () => {
          if (!w.watcher.isRunning) return true;
          await w.watcher.idle();
          const seen = w.watcher.getRollout(written.metadata.namespace!, written.metadata.name);
          return Number(seen?.metadata.resourceVersion ?? 0) >= rv;
        });
        await w.watcher.idle();
        if (!w.watcher.isRunning) return steps.indexOf(step) + 1;
      }
      return steps.length;
    };

    const history = readHistory("examples/histories/canary-abort-retry.yaml");
    // an HPA scaling the completed revision 2 → 3: Progressing, then Healthy again, twice
    const last = history.at(-1)!.object;
    const scaling: KubeObject = structuredClone(last);
    scaling.spec!.replicas = 3;
    Object.assign(scaling.status!, { phase: "Progressing", replicas: 3, updatedReplicas: 3, HPAReplicas: 3 });
    const healthy: KubeObject = structuredClone(scaling);
    Object.assign(healthy.status!, { phase: "Healthy", availableReplicas: 3, readyReplicas: 3 });
    const flicker: HistoryStep[] = [scaling, healthy, scaling, healthy].map((object) => ({
      type: "MODIFIED",
      object: structuredClone(object),
    }));

    // A: dies handing off revision 1's Healthy (document 5)
    const a = await start();
    const played = await play(a, history);
    expect(played).toBe(5);
    a.watcher.stop();

    // B: a restart on the saved state re-detects the same transition (same id: recorded once), then goes on
    const b = await start();
    await play(b, history.slice(played, 14));
    b.watcher.stop();

    // C: a new leader takes over mid-history and sees revision 2 complete and turn Healthy
    const c = await start();
    await play(c, history.slice(14));
    c.watcher.stop();

    // D: another leader change, then the autoscaler flickers the completed revision: nothing more
    const d = await start();
    await play(d, flicker);

    const recorded = (await d.log.list()).map((r) => r.transition);
    const conditionSends = recorded.filter((t) => t.path === "condition");
    expect(conditionSends.map((t) => [t.trigger, t.revision])).toEqual([
      ["on-rollout-completed", "1"],
      ["on-rollout-completed", "2"],
    ]);
    expect(new Set(recorded.map((t) => t.id)).size).toBe(recorded.length);
    // the crash did happen: revision 1's condition transition was handed off twice (before and after it)
    expect(handedOff.filter((t) => t.path === "condition" && t.revision === "1")).toHaveLength(2);
    // the user's Rollout was never written by us (no notified annotation, as upstream would add)
    const live = api.objects.tryGet({
      kind: "Rollout",
      namespace: last.metadata.namespace,
      name: last.metadata.name,
    });
    expect(Object.keys(live?.metadata.annotations ?? {}).filter((k) => k.includes("notified"))).toEqual([]);
    d.watcher.stop();
    for (const client of clients) client.disconnect();
  });
});
