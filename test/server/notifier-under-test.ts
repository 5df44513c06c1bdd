// A whole `rollouts-notifier run` for operational tests: the real CLI as a child process against the Kubernetes
// API test server, a private Redis, a fake Slack, two fake webhook receivers and a fake PagerDuty. The service
// config (ConfigMap + Secret in argo-rollouts) subscribes every Rollout to every service, so one played history
// exercises every sink. Secret values are distinctive strings, so tests can search every output for them.

import { FakePagerDuty } from "../support/fake-pagerduty.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { FakeWebhook } from "../support/fake-webhook.ts";
import { applyStep, readHistory, renameHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type NotifierProcess, startNotifierProcess } from "../support/notifier-process.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

export const SECRETS = {
  slackToken: "xoxb-4242-operable-secret-slack-token",
  revokedSlackToken: "xoxb-9999-revoked-secret-slack-token",
  basicAuthPassword: "basic-auth-secret-p4ssw0rd",
  bearerToken: "bearer-secret-t0ken-value",
  // PagerDuty routing keys are 32 characters
  routingKey: "R0UT1NGKEYsecret0123456789abcdef",
  signingSecret: "hmac-signing-secret-value-42",
} as const;

export const SERVICE_NAMESPACE = "argo-rollouts";

export interface NotifierWorld {
  redis: RedisHarness;
  api: KubeApiServer;
  slack: FakeSlack;
  basicHook: FakeWebhook;
  bearerHook: FakeWebhook;
  pagerduty: FakePagerDuty;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<NotifierWorld> {
  const [redis, api, slack, basicHook, bearerHook, pagerduty] = await Promise.all([
    startRedis(),
    startKubeApiServer({ namespaces: ["default", SERVICE_NAMESPACE, "demo"] }),
    FakeSlack.start({ token: SECRETS.slackToken, channels: [{ name: "deploys" }] }),
    FakeWebhook.start(),
    FakeWebhook.start(),
    FakePagerDuty.start(),
  ]);
  return {
    redis,
    api,
    slack,
    basicHook,
    bearerHook,
    pagerduty,
    async stop() {
      await Promise.all([slack.close(), basicHook.close(), bearerHook.close(), pagerduty.close()]);
      await api.stop();
      await redis.stop();
    },
  };
}

/**
 * The service's ConfigMap and Secret: slack (good token), slack.revoked (a token Slack refuses: invalid_auth),
 * webhook.basic-hook (basic auth), webhook.bearer-hook (bearer token + signing secret), pagerdutyv2 (routing key).
 * Every Rollout is subscribed to each of them for `triggers`.
 */
export function writeServiceConfig(
  w: NotifierWorld,
  triggers: string[] = ["on-rollout-updated", "on-rollout-completed", "on-rollout-aborted"],
): void {
  const recipients = [
    "slack:deploys",
    "revoked:deploys",
    "basic-hook",
    "bearer-hook",
    "pagerdutyv2:payments-oncall",
  ];
  w.api.objects.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argo-rollouts-notification-secret", namespace: SERVICE_NAMESPACE },
    stringData: {
      "slack-token": SECRETS.slackToken,
      "revoked-token": SECRETS.revokedSlackToken,
      "basic-password": SECRETS.basicAuthPassword,
      "bearer-token": SECRETS.bearerToken,
      "routing-key": SECRETS.routingKey,
      "signing-secret": SECRETS.signingSecret,
    },
  });
  w.api.objects.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace: SERVICE_NAMESPACE },
    data: {
      "service.slack": `token: $slack-token\napiURL: ${w.slack.apiURL}\n`,
      "service.slack.revoked": `token: $revoked-token\napiURL: ${w.slack.apiURL}\n`,
      "service.webhook.basic-hook": [
        `url: ${w.basicHook.url}/events`,
        "basicAuth:",
        "  username: notifier",
        "  password: $basic-password",
        "",
      ].join("\n"),
      "service.webhook.bearer-hook": [
        `url: ${w.bearerHook.url}/events`,
        "bearerToken: $bearer-token",
        "signingSecret: $signing-secret",
        "",
      ].join("\n"),
      "service.pagerdutyv2": [
        "serviceKeys:",
        "  payments-oncall: $routing-key",
        `apiURL: ${w.pagerduty.apiURL}`,
        "",
      ].join("\n"),
      subscriptions: [
        `- recipients: [${recipients.join(", ")}]`,
        `  triggers: [${triggers.join(", ")}]`,
        "",
      ].join("\n"),
    },
  });
}

/** `rollouts-notifier run` on a free HTTP port; resolves once it serves HTTP. */
export async function startRun(
  w: NotifierWorld,
  env: Record<string, string> = {},
): Promise<{ proc: NotifierProcess; baseUrl: string }> {
  const proc = startNotifierProcess(
    [
      "run",
      "--kubeconfig",
      w.api.kubeconfigPath,
      "--redis-url",
      w.redis.url,
      "--http-port",
      "0",
      "--namespace",
      SERVICE_NAMESPACE,
    ],
    { POD_NAME: "notifier-0", ...env },
  );
  const started = await proc.waitForLog((l) => l.msg === "rollouts-notifier started");
  return { proc, baseUrl: `http://127.0.0.1:${started.port as number}` };
}

/**
 * Teardown: SIGTERM, then SIGKILL if the graceful stop has not ended within 10 s. (Known: after Redis was down
 * or restarted, the graceful stop can hang in the delivery worker's close — reported; not what these tests
 * assert.)
 */
export async function stopProcess(proc: NotifierProcess | undefined): Promise<void> {
  if (!proc) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), 10_000);
  });
  const outcome = await Promise.race([proc.terminate(), late]);
  clearTimeout(timer);
  if (outcome === "late") await proc.kill9();
}

/** The canary history (create → update → abort → retry → promote) as Rollout `canary-demo-<suffix>` in demo. */
export function playCanary(w: NotifierWorld, suffix: string): { name: string; uid: string } {
  const steps = renameHistory(readHistory("examples/histories/canary-abort-retry.yaml"), suffix);
  for (const step of steps) applyStep(w.api, step);
  const first = steps[0]!.object.metadata;
  return { name: first.name, uid: first.uid! };
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** Polls until `check` returns a value other than undefined (or throws after `timeoutMs` with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Prometheus text → samples `{name, labels, value}` (enough for counters, gauges and histogram series). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include `labels` (undefined if none). */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length === 0) return undefined;
  return found.reduce((sum, s) => sum + s.value, 0);
}
