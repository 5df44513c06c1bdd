// CPU per transition of the watcher's event path without the Kubernetes API and the delivery side: detect (the
// built-in detectors) → hand-off (plan, render the built-in webhook template, enqueue with the BullMQ job,
// transition log + state write) against a private redis-server, as `run` wires it (bench/world.ts's config: one
// webhook service, each Rollout subscribed to on-rollout-step-completed). Reports the process's CPU time (user +
// system, which a loaded host inflates far less than wall time) per transition, one at a time (as at 200/s: every
// event alone in its tick) and 16 at a time (as in a burst).
//
//   node --expose-gc bench/hand-off-bench.ts [transitions] [distDir]
// distDir: a compiled build (`node scripts/build.ts --outDir DIR`) to run instead of src/ (A/B of two builds).
import { createWriteStream, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "../src/kube/objects.ts";
import { ARGO_FIXTURES_DIR } from "../test/support/argo-fixtures.ts";
import { startRedis } from "../test/support/redis-server.ts";
import { SERVICE_NAMESPACE, SUBSCRIBED_TRIGGER, WEBHOOK_SERVICE } from "./world.ts";

const count = Number(process.argv[2] ?? 3000);
const dist = process.argv[3] ? resolve(process.argv[3]) : undefined;
const mod = (path: string) => import(dist ? `${dist}/${path}.js` : `../src/${path}.ts`);

const { ConfigStore } = await mod("config/config-store");
const { createLogger } = await mod("logger");
const { createHandOff } = await mod("app/hand-off");
const { configuredDetectors } = await mod("app/configured-detectors");
const { RedisNotificationQueue } = await mod("queue/redis-notification-queue");
const { createRedisConnection } = await mod("redis/redis-connection");
const { createMetrics } = await mod("server/metrics");
const { TransitionLog } = await mod("watch/transition-log");
const { ObjectStateStore } = await mod("watch/object-state-store");

const redis = await startRedis();
const connection = createRedisConnection(redis.url);
const logger = createLogger({ level: "info", destination: createWriteStream("/dev/null") });
const store = new ConfigStore({ logger, namespace: SERVICE_NAMESPACE });
store.update(
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace: SERVICE_NAMESPACE },
    data: { [`service.webhook.${WEBHOOK_SERVICE}`]: "url: http://127.0.0.1:9/hook\n" },
  },
  undefined,
);
const configFor = (ns: string) => store.forNamespace(ns);
const queue = new RedisNotificationQueue({ connection, logger });
const handOff = createHandOff({
  queue,
  log: new TransitionLog(connection),
  configFor,
  annotationPrefix: "notifications.argoproj.io",
  logger,
  metrics: createMetrics(),
  reportProblems: () => {},
});
const detectors = configuredDetectors({ configFor, reportProblems: () => {} });
const states = new ObjectStateStore(connection, "rn:watch");

const template = parse(readFileSync(`${ARGO_FIXTURES_DIR}/canary/canary-rollout.yaml`, "utf8")) as KubeObject;
const ROLLOUTS = 200;
const rollouts: KubeObject[] = [];
for (let i = 0; i < ROLLOUTS; i++) {
  const ro = structuredClone(template);
  ro.metadata = {
    ...ro.metadata,
    name: `bench-${i}`,
    namespace: "bench-ns",
    uid: `uid-${i}`,
    annotations: {
      ...ro.metadata.annotations,
      [`notifications.argoproj.io/subscribe.${SUBSCRIBED_TRIGGER}.${WEBHOOK_SERVICE}`]: "",
    },
  };
  rollouts.push(ro);
}
const world = {
  getRollout: (_ns: string, name: string) => rollouts[Number(name.slice(6))],
  getNamespace: () => undefined,
  getExperiment: () => undefined,
  analysisRunsIn: () => [],
  analysisRunsOwnedBy: () => [],
};
const saved = new Map<string, string>();
const lookups = {
  baseline: false,
  lookupExperiment: () => undefined,
  lookupRollout: world.getRollout,
  analysisRunsIn: () => [],
};
let step = 0;
/** One watch event: the next Rollout's step index + 1, detected and handed off as the watcher does. */
async function event(): Promise<void> {
  const i = step++ % ROLLOUTS;
  const prev = rollouts[i]!;
  const ro: KubeObject = {
    ...prev,
    metadata: { ...prev.metadata, resourceVersion: String(step) },
    status: { ...(prev.status as object), currentStepIndex: Math.floor(step / ROLLOUTS) + 1 },
  };
  rollouts[i] = ro;
  const uid = ro.metadata.uid!;
  const before = saved.get(uid);
  const detected = detectors.Rollout.detect(before === undefined ? undefined : JSON.parse(before), ro, {
    ...lookups,
    baseline: before === undefined,
  });
  const stateJson = JSON.stringify(detected.state);
  if (detected.transitions.length > 0) {
    const write = states.saveWrite(
      uid,
      { kind: "Rollout", namespace: "bench-ns", name: ro.metadata.name },
      stateJson,
    );
    await handOff(detected.transitions, world, write);
  }
  saved.set(uid, stateJson);
}

for (let i = 0; i < ROLLOUTS; i++) await event(); // baselines
for (let i = 0; i < 500; i++) await event(); // warm-up

async function measure(label: string, concurrency: number): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const done = { n: 0 };
  const lane = async () => {
    while (done.n < count) {
      done.n++;
      await event();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const used = process.cpuUsage(cpu);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuUs = (used.user + used.system) / count;
  console.log(
    `${label}: ${cpuUs.toFixed(0)} µs CPU per transition (user ${(used.user / count).toFixed(0)}, system ${(used.system / count).toFixed(0)}), ${(wallMs / count).toFixed(2)} ms wall`,
  );
}

await measure("one at a time", 1);
await measure("16 at a time ", 16);
await queue.close();
connection.disconnect();
await redis.stop();
process.exit(0);
