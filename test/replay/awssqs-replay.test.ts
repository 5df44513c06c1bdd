// awssqs end to end: the upstream-format example ConfigMap plus upstream's `service.awssqs` (region, queue, account,
// key and secret as $refs into the Secret, endpointUrl at the stand-in), upstream's documented template section
// (`awssqs.messageAttributes`, `awssqs.messageGroupId`) and a Rollout subscribed with
// `notifications.argoproj.io/subscribe.on-rollout-aborted.awssqs: alerts.fifo` (a FIFO queue) and
// `…on-rollout-completed.awssqs: ""` (the service's standard queue). The replay sends each notification exactly once,
// in order, through throttling (ThrottlingException), a 5xx and an answer lost after SQS took a FIFO message;
// `replay --dry-run` (the CLI) shows the GetQueueUrl/SendMessage request with key and secret redacted; a namespace's
// own awssqs service without key/secret is reported with its reason and sends nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../src/replay/parse-documents.ts";
import { exampleConfigMap } from "../config/load-examples.ts";
import { FakeSqs } from "../support/fake-sqs.ts";
import { historyPath } from "./expected-histories.ts";
import { asJsonLines, replay, testSecret } from "./replay-kit.ts";

const REGION = "us-east-2";
/** The queues' owner (`account`: GetQueueUrl's QueueOwnerAWSAccountId); the key belongs to another account. */
const OWNER = "123456789012";
const KEY = "AKIAREPLAYTEST000001";
const SECRET = "replay-secret-wJalrXUtnFEMI/K7MDENGbPxRfiCY";

let sqs: FakeSqs;
const dir = mkdtempSync(join(tmpdir(), "rn-awssqs-replay-"));
beforeAll(async () => {
  sqs = await FakeSqs.start({
    region: REGION,
    credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }],
    queues: [
      { name: "rollouts", account: OWNER },
      { name: "alerts.fifo", account: OWNER },
    ],
  });
});
afterAll(async () => {
  await sqs?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sqs.reset());

function config(): KubeObject[] {
  const cm = exampleConfigMap();
  const d = cm.data!;
  // only this service: the example's others point at real hosts
  for (const k of Object.keys(d))
    if (k === "subscriptions" || (k.startsWith("service.") && k !== "service.awssqs")) delete d[k];
  d["service.awssqs"] =
    `region: "${REGION}"\nqueue: "rollouts"\naccount: "${OWNER}"\nkey: "$awsaccess_key"\nsecret: "$awsaccess_secret"\nendpointUrl: ${sqs.endpointUrl}\n`;
  d["template.rollout-aborted"] =
    `${d["template.rollout-aborted"]}awssqs:\n  messageGroupId: "{{.rollout.metadata.name}}-deployment"\n  messageAttributes:\n    rollout: "{{.rollout.metadata.name}}"\n    namespace: "{{.rollout.metadata.namespace}}"\n    environment: production\n`;
  d["template.rollout-completed"] =
    `${d["template.rollout-completed"]}awssqs:\n  messageAttributes:\n    revision: '{{index .rollout.metadata.annotations "rollout.argoproj.io/revision"}}'\n`;
  const secret = testSecret();
  // as upstream's docs (stringData) and as kubectl writes it (data, base64)
  secret.stringData = { ...secret.stringData, awsaccess_key: KEY };
  secret.data = { ...secret.data, awsaccess_secret: Buffer.from(SECRET).toString("base64") };
  return [cm, secret];
}

/** The Rollout's subscriptions: a FIFO queue named, and the service's queue (empty value). */
const SUBSCRIBED = {
  "notifications.argoproj.io/subscribe.on-rollout-aborted.awssqs": "alerts.fifo",
  "notifications.argoproj.io/subscribe.on-rollout-completed.awssqs": "",
};

/** canary-abort-retry: completed (revision 1), aborted (2), completed (2, retried); its Rollout annotated. */
function items(annotations: Record<string, string> = SUBSCRIBED): ReplayItem[] {
  const history = parseReplayInput(readFileSync(historyPath("canary-abort-retry.yaml"), "utf8"));
  return history.map((item) => {
    if (!item.ok) return item;
    const annotate = (o: KubeObject): KubeObject =>
      o.kind !== "Rollout"
        ? o
        : { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...annotations } } };
    const input = item.input as KubeObject & { type?: string; object?: KubeObject };
    return { ...item, input: input.object ? { ...input, object: annotate(input.object) } : annotate(input) };
  });
}

const delivered = (queue: string) => sqs.messages.filter((m) => m.queue === queue).map((m) => m.input);
/** SendMessage requests for `queue` as received, accepted or not. */
const sendsTo = (queue: string) =>
  sqs.received
    .map((t) => JSON.parse(t) as Record<string, unknown>)
    .filter((b) => typeof b.QueueUrl === "string" && b.QueueUrl.endsWith(`/${OWNER}/${queue}`));

const ABORTED = {
  MessageBody: "Rollout canary-demo has been aborted.",
  MessageAttributes: {
    rollout: { DataType: "String", StringValue: "canary-demo" },
    namespace: { DataType: "String", StringValue: "demo" },
    environment: { DataType: "String", StringValue: "production" },
  },
  MessageGroupId: "canary-demo-deployment",
  MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
};
const completed = (revision: string) => ({
  MessageBody: "Rollout canary-demo has been completed in production.",
  DelaySeconds: 10,
  MessageAttributes: { revision: { DataType: "String", StringValue: revision } },
});

it("sends each notification exactly once, in order, through throttling, a 5xx and a FIFO answer lost after SQS took it", async () => {
  // what --dry-run says will be sent (the same job ids: the same deduplication ids)
  const plan = await replay({ items: items(), configObjects: config(), mode: "dry-run" });
  expect(plan.code, plan.stderr).toBe(0);
  const planned = plan.lines.map((l) => (l.notification as { sendMessage: unknown }).sendMessage);

  sqs.fail({ status: 400, code: "ThrottlingException" }); // the first request, whichever
  sqs.fail({ status: 400, code: "ThrottlingException", action: "SendMessage", queue: "rollouts" });
  sqs.fail({ status: 500, action: "GetQueueUrl", queue: "alerts.fifo" });
  sqs.fail({ status: 503, action: "SendMessage", queue: "alerts.fifo", processed: true });
  const r = await replay({
    items: items(),
    configObjects: config(),
    mode: "deliver",
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
    rateLimit: false,
    settleTimeoutMs: 20_000,
  });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain("3 notifications delivered, 0 dead-lettered");

  // the service's standard queue (empty recipient): both completions, in order, each once, upstream's 10 s delay
  expect(delivered("rollouts")).toEqual([completed("1"), completed("2")]);
  // the annotation's FIFO queue: the template's group and attributes, a deduplication id, no per-message delay
  expect(delivered("alerts.fifo")).toEqual([ABORTED]);
  expect(sqs.messages).toHaveLength(3);
  expect(sqs.messages.map((m) => m.account)).toEqual([OWNER, OWNER, OWNER]);
  // exactly what --dry-run showed
  expect(planned).toEqual([completed("1"), ABORTED, completed("2")]);
  expect([...delivered("rollouts"), ...delivered("alerts.fifo")]).toEqual([
    planned[0],
    planned[2],
    planned[1],
  ]);

  // the failures did happen: 4 failed attempts + 3 good ones, each attempt GetQueueUrl (then SendMessage)
  expect(sqs.actions.filter((a) => a === "AmazonSQS.GetQueueUrl")).toHaveLength(7);
  expect(sqs.actions.filter((a) => a === "AmazonSQS.SendMessage")).toHaveLength(5);
  expect(sendsTo("rollouts")).toHaveLength(3);
  // SQS took the FIFO message, the answer was lost: the retry carried the same deduplication id and was dropped
  const fifo = sendsTo("alerts.fifo");
  expect(fifo).toHaveLength(2);
  expect(fifo[1]!.MessageDeduplicationId).toBe(fifo[0]!.MessageDeduplicationId);

  for (const secret of [SECRET, KEY]) expect(r.stdout + r.stderr).not.toContain(secret);
});

it("replay --dry-run (the CLI) shows the GetQueueUrl/SendMessage request, key and secret redacted, nothing sent", async () => {
  const history = join(dir, "history.jsonl");
  writeFileSync(history, asJsonLines(items()));
  const configFile = join(dir, "config.yaml");
  writeFileSync(
    configFile,
    config()
      .map((o) => stringify(o))
      .join("---\n"),
  );
  const r = await cli([
    "replay",
    history,
    "--config",
    configFile,
    "--dry-run",
    "--now",
    "2026-03-04T09:05:00Z",
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l.trigger, l.service, l.recipient, l.templates])).toEqual([
    ["on-rollout-completed", "awssqs", "", ["rollout-completed"]],
    ["on-rollout-aborted", "awssqs", "alerts.fifo", ["rollout-aborted"]],
    ["on-rollout-completed", "awssqs", "", ["rollout-completed"]],
  ]);
  const request = (queue: string) => ({
    type: "awssqs",
    region: REGION,
    endpoint: sqs.endpointUrl,
    credentials: { accessKeyId: "[redacted]", secretAccessKey: "[redacted]" },
    getQueueUrl: { QueueName: queue, QueueOwnerAWSAccountId: OWNER },
  });
  expect(lines.map((l) => l.notification)).toEqual([
    { ...request("rollouts"), sendMessage: completed("1") },
    { ...request("alerts.fifo"), sendMessage: ABORTED },
    { ...request("rollouts"), sendMessage: completed("2") },
  ]);
  for (const secret of [SECRET, KEY, Buffer.from(SECRET).toString("base64")])
    expect(r.stdout + r.stderr).not.toContain(secret);
  expect(sqs.received).toHaveLength(0);
});

it("a namespace's own awssqs service without key and secret: its key is an error with the reason, its subscription reported, nothing sent for it", async () => {
  const tenant: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace: "demo" },
    data: {
      // everything but key/secret: the default credential chain would be the notifier's own identity
      "service.awssqs.team": `region: "${REGION}"\nqueue: "team-events"\naccount: "${OWNER}"\nendpointUrl: ${sqs.endpointUrl}\n`,
    },
  };
  const annotated = items({
    ...SUBSCRIBED,
    "notifications.argoproj.io/subscribe.on-rollout-completed.team": "",
  });
  // refused at load, as a gcppubsub service without its own key (ServiceTypeDefinition.config.tenantProblem)
  const reason =
    "error: demo/argo-rollouts-notification-configmap key \"service.awssqs.team (key)\": a namespace's service must set key and secret (from the namespace's Secret): the default AWS credential chain is the notifier's own identity, for central services only\n" +
    'error: Rollout/demo/canary-demo (subscription): Rollout demo/canary-demo annotation "notifications.argoproj.io/subscribe.on-rollout-completed.team": service "team" is not configured\n';

  const dry = await replay({ items: annotated, configObjects: [...config(), tenant], mode: "dry-run" });
  expect(dry.code).toBe(1);
  expect(dry.stderr).toBe(reason);
  expect(dry.lines.map((l) => `${l.service}:${l.recipient}`)).toEqual([
    "awssqs:",
    "awssqs:alerts.fifo",
    "awssqs:",
  ]);

  const r = await replay({
    items: annotated,
    configObjects: [...config(), tenant],
    mode: "deliver",
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
    rateLimit: false,
    settleTimeoutMs: 20_000,
  });
  expect(r.code).toBe(1);
  for (const line of reason.trimEnd().split("\n")) expect(r.stderr).toContain(`${line}\n`);
  expect(r.stdout).toContain("3 notifications delivered, 0 dead-lettered");
  // the central service's notifications are unaffected; none for the namespace's service, not even a request
  expect(delivered("rollouts")).toEqual([completed("1"), completed("2")]);
  expect(delivered("alerts.fifo")).toEqual([ABORTED]);
  expect(sqs.messages).toHaveLength(3);
  expect(sqs.received.filter((b) => b.includes("team-events"))).toEqual([]);
});

const root = fileURLToPath(new URL("../../", import.meta.url));

/** `rollouts-notifier …` as a user runs it: a child process on Node 24. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "node_modules/.bin/node"), [join(root, "src/cli/main.ts"), ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
