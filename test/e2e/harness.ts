// The end-to-end world: the Kubernetes API test server, a private Redis (one server by default; a Sentinel set or
// a Cluster when a test asks), the fake Slack (behind a fault gate),
// PagerDuty and webhook receivers, the notification ConfigMap + Secret in `argo-rollouts`, and
// `rollouts-notifier run` as child processes (real CLI, real Node 24). Stories are played step by step with
// test/e2e/story.ts; this file only builds and tears down the world.
import type { KubeObject } from "../../src/kube/objects.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import type { RedisClient } from "../../src/redis/redis-connection.ts";
import { FakePagerDuty } from "../support/fake-pagerduty.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { FakeWebhook } from "../support/fake-webhook.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import {
  type NotifierCommand,
  type NotifierProcess,
  startNotifierProcess,
} from "../support/notifier-process.ts";
import { type RedisDeployment, type RedisHarness, startRedis } from "../support/redis-server.ts";
import { type FaultGate, startFaultGate } from "./fault-gate.ts";

export const SERVICE_NAMESPACE = "argo-rollouts";
/** Where the story Rollouts live; its annotations subscribe PagerDuty and the webhook. */
export const APP_NAMESPACE = "apps";
export const CONFIGMAP_NAME = "argo-rollouts-notification-configmap";
export const SECRET_NAME = "argo-rollouts-notification-secret";
export const ANNOTATION_PREFIX = "notifications.argoproj.io";
/** PagerDuty recipient (serviceKeys entry) and its routing key (PagerDuty wants 32 characters). */
export const PD_RECIPIENT = "oncall";
export const PD_ROUTING_KEY = "e2e0routing0key00000000000000001";
export const WEBHOOK_SERVICE = "deploy-log";
export const WEBHOOK_SIGNING_SECRET = "e2e-webhook-signing-secret-0123456789";
export const SLACK_USERNAME = "rollouts-e2e";

/** Triggers the namespace subscribes PagerDuty to (Slack gets the default triggers through the Rollout). */
export const PD_TRIGGERS = ["on-analysis-run-failed", "on-rollout-aborted", "on-rollout-completed"];

export interface ServiceProcess extends NotifierProcess {
  podName: string;
  /** The /metrics, /healthz, /readyz port (from the "rollouts-notifier started" log line). */
  httpPort(): Promise<number>;
  readyz(): Promise<{ status: number; body: string }>;
}

export interface E2eWorld<R extends RedisDeployment = RedisHarness> {
  api: KubeApiServer;
  redis: R;
  slack: FakeSlack;
  /** The Slack `apiURL` the service uses goes through this gate (fail it to make Slack answer 5xx). */
  slackGate: FaultGate;
  pagerduty: FakePagerDuty;
  webhook: FakeWebhook;
  /** For the tests' own reads (transition log, object states, queue depth); survives Redis restarts. */
  redisClient: RedisClient;
  queue: RedisNotificationQueue;
  /** Every service process started, in order. */
  services: ServiceProcess[];
  /** The ConfigMap data of the good config, with `overrides` merged (a value of undefined removes a key). */
  configData(overrides?: Record<string, string | undefined>): Record<string, string>;
  /** Writes (creates or replaces) the service ConfigMap with this data. */
  writeConfigMap(data: Record<string, string>): void;
  /** Starts `rollouts-notifier run`; waits until it leads and its informers synced unless `standby`. */
  startService(opts?: {
    podName?: string;
    env?: Record<string, string>;
    standby?: boolean;
  }): Promise<ServiceProcess>;
  /** Logs of every service process, for failure messages. */
  dumpLogs(lines?: number): string;
  stop(): Promise<void>;
}

/** A namespace with its own (self-service) notification ConfigMap holding `data`. */
export function loadTenantNamespace(
  world: AnyE2eWorld,
  namespace: string,
  data: Record<string, string>,
): void {
  world.api.objects.load({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  world.api.objects.load({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CONFIGMAP_NAME, namespace },
    data,
  } as KubeObject);
}

/** A world on any Redis deployment (what the story helpers take). */
export type AnyE2eWorld = E2eWorld<RedisDeployment>;

export interface E2eOptions<R extends RedisDeployment = RedisHarness> {
  /** Redis appendonly (needed to restart Redis without losing the queue). */
  appendonly?: boolean;
  /** Another Redis deployment than one private server (a Sentinel set, a Cluster). */
  redis?: () => Promise<R>;
  /** Extra env for every service process (e.g. LEASE_* to shorten the lease). */
  env?: Record<string, string>;
  /** How to start the service (default: this checkout's src/cli/main.ts on this Node, the test's env). */
  command?: NotifierCommand;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export async function startE2eWorld<R extends RedisDeployment = RedisHarness>(
  opts: E2eOptions<R> = {},
): Promise<E2eWorld<R>> {
  const redis = (
    opts.redis ? await opts.redis() : await startRedis({ appendonly: opts.appendonly ?? false })
  ) as R;
  const api = await startKubeApiServer({
    namespaces: ["default", SERVICE_NAMESPACE],
    bookmarkIntervalMs: 500,
  });
  const slack = await FakeSlack.start();
  const slackGate = await startFaultGate(slack.server.url);
  const pagerduty = await FakePagerDuty.start();
  const webhook = await FakeWebhook.start();
  // Redis restarts and fail-overs are part of some tests; commands wait for the reconnect
  const redisClient = redis.client();
  const queue = new RedisNotificationQueue({ connection: redisClient });

  const configData = (overrides: Record<string, string | undefined> = {}) => {
    const data: Record<string, string | undefined> = {
      "service.slack": [
        "token: $slack-token",
        `apiURL: ${slackGate.url}/api/`,
        `username: ${SLACK_USERNAME}`,
      ].join("\n"),
      "service.pagerdutyv2": [
        `apiURL: ${pagerduty.apiURL}`,
        "serviceKeys:",
        `  ${PD_RECIPIENT}: $pagerduty-oncall-key`,
      ].join("\n"),
      [`service.webhook.${WEBHOOK_SERVICE}`]: [
        `url: ${webhook.url}/deploys`,
        "signingSecret: $deploy-log-signing-secret",
      ].join("\n"),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => e[1] !== undefined));
  };
  const writeConfigMap = (data: Record<string, string>) => {
    api.objects.load({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: CONFIGMAP_NAME, namespace: SERVICE_NAMESPACE },
      data,
    });
  };
  writeConfigMap(configData());
  api.objects.load({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: SECRET_NAME, namespace: SERVICE_NAMESPACE },
    type: "Opaque",
    data: {
      "slack-token": b64(slack.token),
      "pagerduty-oncall-key": b64(PD_ROUTING_KEY),
      "deploy-log-signing-secret": b64(WEBHOOK_SIGNING_SECRET),
    },
  } as KubeObject);
  const nsAnnotations: Record<string, string> = {
    [`${ANNOTATION_PREFIX}/subscribe.on-rollout-completed.${WEBHOOK_SERVICE}`]: "",
  };
  for (const t of PD_TRIGGERS)
    nsAnnotations[`${ANNOTATION_PREFIX}/subscribe.${t}.pagerdutyv2`] = PD_RECIPIENT;
  api.objects.load({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: APP_NAMESPACE, annotations: nsAnnotations },
  });

  const services: ServiceProcess[] = [];
  const redisArgs = redis.serviceArgs;
  let podCounter = 0;
  const startService: E2eWorld["startService"] = async (o = {}) => {
    const podName = o.podName ?? `rollouts-notifier-${podCounter++}`;
    const proc = startNotifierProcess(
      [
        "run",
        "--kubeconfig",
        api.kubeconfigPath,
        ...redisArgs,
        "--http-port",
        "0",
        "--namespace",
        SERVICE_NAMESPACE,
      ],
      {
        POD_NAME: podName,
        // A killed worker's delivery moves to another within seconds, and retries back off to at most 2 s, so
        // the fault tests settle quickly; the production defaults are 30 s / 30 s / 5 min.
        WORKER_LOCK_DURATION_MS: "4000",
        WORKER_STALLED_INTERVAL_MS: "2000",
        RETRY_BASE_DELAY_MS: "200",
        RETRY_MAX_DELAY_MS: "2000",
        RETRY_MAX_ATTEMPTS: "100",
        ...redis.serviceEnv,
        ...opts.env,
        ...o.env,
      },
      opts.command,
    );
    const httpPort = async () =>
      Number((await proc.waitForLog((l) => l.msg === "rollouts-notifier started")).port);
    const svc: ServiceProcess = {
      ...proc,
      podName,
      httpPort,
      async readyz() {
        const res = await fetch(`http://127.0.0.1:${await httpPort()}/readyz`);
        return { status: res.status, body: await res.text() };
      },
    };
    services.push(svc);
    if (o.standby) await proc.waitForLog((l) => l.msg === "rollouts-notifier started");
    else await proc.waitForLog((l) => l.msg === "informers synced", 30_000);
    return svc;
  };

  return {
    api,
    redis,
    slack,
    slackGate,
    pagerduty,
    webhook,
    redisClient,
    queue,
    services,
    configData,
    writeConfigMap,
    startService,
    dumpLogs(lines = 40) {
      return services
        .map(
          (s) =>
            `--- ${s.podName} (pid ${s.proc.pid}) ---\n${s.logs
              .slice(-lines)
              .map((l) => JSON.stringify(l))
              .join("\n")}`,
        )
        .join("\n");
    },
    async stop() {
      for (const s of services) await s.kill9();
      await queue.close().catch(() => {});
      redisClient.disconnect();
      await slackGate.close();
      await slack.close();
      await pagerduty.close();
      await webhook.close();
      await api.stop();
      await redis.stop();
    },
  };
}
