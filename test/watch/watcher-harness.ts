// In-process watcher harness for tests: the real TransitionWatcher (client-node against the Kubernetes API test
// server, state in a private Redis) with a hand-off that records into the TransitionLog, as `run` does.
import { Redis } from "ioredis";
import { pino } from "pino";
import { KIND_DETECTORS } from "../../src/triggers/kind-detectors.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { TransitionWatcher } from "../../src/watch/transition-watcher.ts";
import type { KubeApiServer } from "../support/kube-api-server/index.ts";
import type { RedisHarness } from "../support/redis-server.ts";

export const silentLogger = pino({ level: "silent" });

export interface WatcherUnderTest {
  watcher: TransitionWatcher;
  log: TransitionLog;
  /** Every transition handed off by this instance (including re-hand-offs after a crash). */
  handedOff: Transition[];
  /** Highest resourceVersion handled per namespace/name. */
  handledRv: Map<string, number>;
  stop(): void;
}

export function startWatcher(
  api: KubeApiServer,
  redis: RedisHarness,
  opts: { prefix?: string; namespaces?: string[]; labelSelector?: string; resyncMs?: number } = {},
): WatcherUnderTest {
  const client = new Redis(redis.port, "127.0.0.1", { maxRetriesPerRequest: null });
  client.on("error", () => {});
  const log = new TransitionLog(client, { prefix: opts.prefix ?? "rn" });
  const handedOff: Transition[] = [];
  const handledRv = new Map<string, number>();
  const watcher = new TransitionWatcher({
    kc: api.kubeConfig(),
    redis: client,
    logger: silentLogger,
    detectors: KIND_DETECTORS,
    keyPrefix: opts.prefix ?? "rn",
    namespaces: opts.namespaces,
    labelSelector: opts.labelSelector,
    resyncMs: opts.resyncMs,
    onHandled: (obj) => {
      const key = `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
      handledRv.set(key, Math.max(handledRv.get(key) ?? 0, Number(obj.metadata.resourceVersion ?? 0)));
    },
    handOff: async (transitions) => {
      handedOff.push(...transitions);
      await log.record(transitions);
    },
  });
  return {
    watcher,
    log,
    handedOff,
    handledRv,
    stop() {
      watcher.stop();
      client.disconnect();
    },
  };
}

/** Polls until the condition holds (or fails the test after timeoutMs). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Triggers of the recorded transitions of one object (or of Rollout families by name prefix), in order. */
export async function recordedTriggers(log: TransitionLog, rolloutName?: string): Promise<string[]> {
  const all = await log.list();
  return all
    .filter((r) => !rolloutName || (r.transition.rollout ?? r.transition.object).name === rolloutName)
    .map((r) => r.transition.trigger);
}
