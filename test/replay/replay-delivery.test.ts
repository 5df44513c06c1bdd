// replay without --dry-run: the example history, the upstream-format example config pointed at the fake Slack,
// PagerDuty and webhook servers, delivered through the queue (in-process, and BullMQ on a private Redis):
// exactly the expected messages, once each and in order, through injected 500s, 503s and a 429; a permanent
// failure ends dead-lettered with its reason and a non-zero exit code.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { exampleConfigMap } from "../config/load-examples.ts";
import { FakePagerDuty } from "../support/fake-pagerduty.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { FakeWebhook } from "../support/fake-webhook.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { annotatedHistory, PD_KEY, replay, SLACK_TOKEN, testSecret } from "./replay-kit.ts";

let slack: FakeSlack;
let pd: FakePagerDuty;
let hook: FakeWebhook;

beforeAll(async () => {
  [pd, hook] = await Promise.all([FakePagerDuty.start(), FakeWebhook.start()]);
});
afterAll(async () => {
  await Promise.all([pd.close(), hook.close()]);
});
afterEach(async () => {
  await slack?.close();
});

async function freshFakes(): Promise<void> {
  slack = await FakeSlack.start({ token: SLACK_TOKEN, channels: [{ name: "deploys" }, { name: "alerts" }] });
  pd.accepted.length = 0;
  pd.received.length = 0;
  pd.alerts.length = 0;
  hook.requests.length = 0;
}

/** The example ConfigMap (Go templates, $refs) with its services pointed at the fakes. */
function fakeConfig(secret = testSecret()): KubeObject[] {
  const cm = exampleConfigMap();
  const d = cm.data!;
  d["service.slack"] = `${d["service.slack"]}apiURL: ${slack.apiURL}\n`;
  d["service.pagerdutyv2"] = `${d["service.pagerdutyv2"]}apiURL: ${pd.apiURL}\n`;
  d["service.webhook.deploy-log"] = d["service.webhook.deploy-log"]!.replace(
    "https://deploy-log.example.com/api",
    `${hook.url}/api`,
  );
  return [cm, secret];
}

const FAST = { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 }, rateLimit: false } as const;

function run(extra: { redisUrl?: string; secret?: KubeObject; queueName?: string } = {}) {
  return replay({
    items: annotatedHistory("canary-analysis-failure.yaml", "default"),
    configObjects: fakeConfig(extra.secret),
    mode: "deliver",
    ...FAST,
    ...(extra.redisUrl ? { redisUrl: extra.redisUrl, queueName: extra.queueName ?? "replay-test" } : {}),
    settleTimeoutMs: 20_000,
  });
}

function expectDelivered(): void {
  const deploys = slack.allMessages("deploys");
  expect(deploys.map((m) => m.text)).toEqual([
    "Rollout rollout-background-analysis has been aborted.",
    "Rollout rollout-background-analysis has been completed in production.",
  ]);
  expect(slack.allMessages("alerts").map((m) => m.text)).toEqual([
    "Rollout rollout-background-analysis has been aborted.",
  ]);
  // The example ConfigMap's template is a Go template: it prints the status message as Go does (no Slack
  // escaping of ">"); only the quotes inside the JSON string are escaped, or the attachment would not parse.
  expect(deploys[0]!.attachments).toEqual([
    {
      title: "rollout-background-analysis",
      color: "#E01E5A",
      // as upstream: the controller records RolloutAborted on the Rollout as it read it, before writing the
      // abort, so `.rollout.status.message` is still the pause's (argo-rollouts rollout/sync.go)
      text: "CanaryPauseStep",
    },
  ]);
  expect(pd.accepted.map((e) => [e.routing_key, e.event_action, e.payload?.summary])).toEqual([
    [PD_KEY, "trigger", "Rollout default/rollout-background-analysis aborted"],
    // the example's custom trigger (Degraded, spec.paused != true), in the same update as the abort
    [PD_KEY, "trigger", "Rollout rollout-background-analysis is degraded"],
  ]);
  // the fake records every request, failed ones included: one notification (one idempotency key), accepted last
  const keys = new Set(hook.requests.map((r) => r.headers["idempotency-key"]));
  expect(keys.size).toBe(1);
  const last = hook.requests.at(-1)!;
  expect([last.method, last.path, JSON.parse(last.body)]).toEqual([
    "POST",
    "/api/rollouts/default/rollout-background-analysis",
    { rollout: "rollout-background-analysis", event: "completed" },
  ]);
  expect(hook.requests[0]!.headers.authorization).toBe("Bearer example-deploy-log-token");
}

function injectFailures(): void {
  slack.fail("chat.postMessage", { status: 500 }, 1);
  slack.fail("chat.postMessage", { status: 503 }, 1);
  slack.fail("chat.postMessage", { status: 429, retryAfterSec: 0 }, 1);
  pd.fail({ status: 500 }, 1);
  pd.fail({ status: 429 }, 1);
  hook.fail({ status: 503 }, 1);
  hook.fail({ status: 500 }, 1);
}

describe("replay delivers through the in-process queue", () => {
  it("exactly the expected messages, once each, in order, through 500s, 503s and a 429", async () => {
    await freshFakes();
    injectFailures();
    const r = await run();
    expect(r.stderr).toBe(
      "replay: in-process queue (not durable: what is not delivered when this process ends is lost; --redis-url for the durable queue)\n",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\n?6 notifications delivered, 0 dead-lettered/m);
    expectDelivered();
    expect(r.stdout + r.stderr).not.toContain(SLACK_TOKEN);
  });

  it("a permanent failure (bad Slack token): dead-lettered with the reason, the rest delivered, exit code 1", async () => {
    await freshFakes();
    const secret = testSecret();
    secret.stringData = { ...secret.stringData, "slack-token": "xoxb-wrong-token" };
    const r = await run({ secret });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/3 notifications delivered, 3 dead-lettered/);
    const dead = r.stdout.split("\n").filter((l) => l.startsWith("dead-lettered:"));
    expect(dead).toHaveLength(3);
    for (const l of dead) expect(l).toMatch(/→ slack:(deploys|alerts) after 1 attempt: .*invalid_auth/);
    expect(r.stdout + r.stderr).not.toContain("xoxb-wrong-token");
    expect(pd.accepted).toHaveLength(2);
    expect(hook.requests).toHaveLength(1);
  });
});

describe("replay --redis-url delivers through BullMQ", () => {
  let redis: RedisHarness;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("the same messages through the durable queue and its worker; a second replay sends nothing again", async () => {
    await freshFakes();
    injectFailures();
    const r = await run({ redisUrl: redis.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/6 notifications delivered, 0 dead-lettered/);
    expectDelivered();

    const again = await run({ redisUrl: redis.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /6 notifications delivered, 0 dead-lettered \(6 already known to the queue\)/,
    );
    expectDelivered();
  });
});
