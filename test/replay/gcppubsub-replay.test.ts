// gcppubsub end to end: the upstream-format example ConfigMap plus upstream's `service.gcppubsub` (project, topic,
// the key from the Secret), upstream's documented template section (`gcppubsub.attributes`) and a Rollout
// subscribed with `notifications.argoproj.io/subscribe.on-rollout-aborted.gcppubsub: alerts` (and an empty value:
// the service's topic). The replay publishes each notification exactly once, through a 503 and a 429, with the data
// and attributes upstream sends; --dry-run shows the request with the credentials redacted.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../src/replay/parse-documents.ts";
import { exampleConfigMap } from "../config/load-examples.ts";
import { FakePubsub, type ServiceAccount } from "../support/fake-pubsub.ts";
import { historyPath } from "./expected-histories.ts";
import { replay, testSecret } from "./replay-kit.ts";

const PROJECT = "shop-prod-1";
let ps: FakePubsub;
let account: ServiceAccount;

beforeAll(async () => {
  ps = await FakePubsub.start();
  account = ps.addServiceAccount("notifier@shop-prod-1.iam.gserviceaccount.com", [PROJECT]);
  ps.addTopic(PROJECT, "rollouts");
  ps.addTopic(PROJECT, "alerts");
});
afterAll(async () => {
  await ps?.close();
});

function config(): KubeObject[] {
  const cm = exampleConfigMap();
  const d = cm.data!;
  // only this service: the example's others point at real hosts
  for (const k of Object.keys(d))
    if (k === "subscriptions" || (k.startsWith("service.") && k !== "service.gcppubsub")) delete d[k];
  d["service.gcppubsub"] =
    `project: "${PROJECT}"\ntopic: "rollouts"\nkeyJSON: $gcp-pubsub-key\nendpoint: ${ps.endpoint}\n`;
  d["template.rollout-aborted"] =
    `${d["template.rollout-aborted"]}gcppubsub:\n  attributes:\n    app: "{{.rollout.metadata.name}}"\n    namespace: "{{.rollout.metadata.namespace}}"\n    environment: production\n`;
  const secret = testSecret();
  secret.stringData = { ...secret.stringData, "gcp-pubsub-key": account.keyJSON };
  return [cm, secret];
}

function items(): ReplayItem[] {
  const history = parseReplayInput(readFileSync(historyPath("canary-analysis-failure.yaml"), "utf8"));
  return history.map((item) => {
    if (!item.ok) return item;
    const annotate = (o: KubeObject): KubeObject =>
      o.kind !== "Rollout"
        ? o
        : {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: {
                ...o.metadata.annotations,
                "notifications.argoproj.io/subscribe.on-rollout-aborted.gcppubsub": "alerts",
                "notifications.argoproj.io/subscribe.on-rollout-completed.gcppubsub": "",
              },
            },
          };
    const input = item.input as KubeObject & { type?: string; object?: KubeObject };
    return { ...item, input: input.object ? { ...input, object: annotate(input.object) } : annotate(input) };
  });
}

it("publishes each notification exactly once with upstream's data and attributes, through a 503 and a 429", async () => {
  ps.reset();
  ps.fail({ status: 503 });
  ps.fail({ status: 429, retryAfterSec: 0 });
  const r = await replay({
    items: items(),
    configObjects: config(),
    mode: "deliver",
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
    rateLimit: false,
    settleTimeoutMs: 20_000,
  });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  // two topics, two ordering keys: their order depends on which one the 503 and the 429 held back
  const published = ps.published
    .map(({ topic, data, attributes }) => ({ topic, data, attributes }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
  expect(published).toEqual([
    {
      topic: "alerts",
      data: "Rollout rollout-background-analysis has been aborted.",
      attributes: { app: "rollout-background-analysis", namespace: "default", environment: "production" },
    },
    {
      topic: "rollouts",
      data: "Rollout rollout-background-analysis has been completed in production.",
      attributes: {},
    },
  ]);
  expect(ps.received.length).toBe(4);
  expect(r.stdout + r.stderr).not.toContain(account.privateKey);
});

it("--dry-run shows the publish request, the credentials redacted", async () => {
  ps.reset();
  const r = await replay({ items: items(), configObjects: config(), mode: "dry-run" });
  expect(r.code).toBe(0);
  const mine = r.lines.filter((l) => l.service === "gcppubsub");
  expect(mine.map((l) => [l.trigger, l.recipient])).toEqual([
    ["on-rollout-aborted", "alerts"],
    ["on-rollout-completed", ""],
  ]);
  expect(mine[0]!.notification).toMatchObject({
    type: "gcppubsub",
    api: `${ps.endpoint}/v1/projects/${PROJECT}/topics/alerts:publish`,
    headers: { authorization: "Bearer [redacted]" },
    text: "Rollout rollout-background-analysis has been aborted.",
    body: {
      messages: [
        {
          data: Buffer.from("Rollout rollout-background-analysis has been aborted.").toString("base64"),
          attributes: { app: "rollout-background-analysis", namespace: "default", environment: "production" },
        },
      ],
    },
  });
  expect(r.stdout).not.toContain(account.privateKey);
  expect(r.stdout).not.toContain(account.privateKeyId);
  expect(ps.received).toHaveLength(0);
  expect(ps.tokenRequests).toHaveLength(0);
});
