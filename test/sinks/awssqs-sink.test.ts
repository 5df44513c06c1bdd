// The awssqs service type against the stand-in SQS API (test/support/fake-sqs.ts, which recomputes SigV4): an
// upstream-format ConfigMap + Secret and a `subscribe.<trigger>.awssqs` annotation deliver once what upstream sends
// (the message as the body, DelaySeconds 10), FIFO queues get a group and a deduplication id, every failure class,
// secrets never in errors (even echoed), the SSRF guard for namespace services.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { ServiceConfig, TemplateSpec } from "../../src/config/types.ts";
import { createLogger } from "../../src/logger.ts";
import { awsSqsService } from "../../src/sinks/awssqs/awssqs-service.ts";
import type { AwsSqsServiceConfig } from "../../src/sinks/awssqs/awssqs-types.ts";
import { createServiceSink } from "../../src/sinks/create-sinks.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import type { Delivery, Sink } from "../../src/sinks/sink.ts";
import { readAnnotationSubscriptions } from "../../src/subscriptions/annotation-subscriptions.ts";
import { TRIGGER_PRESENTATIONS } from "../../src/templates/builtin/trigger-presentation.ts";
import { compileTemplateSpec } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { configMap, secret } from "../config/load-examples.ts";
import { FakeSqs } from "../support/fake-sqs.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const KEY = "AKIASINKTEST00000001";
const SECRET = "sink-test-secret-wJalrXUtnFEMI/K7MDENG";
const OTHER_ACCOUNT = "111122223333";
const ROLLOUT = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: {
    name: "checkout",
    namespace: "shop",
    uid: "uid-checkout",
    annotations: {
      "rollout.argoproj.io/revision": "3",
      "notifications.argoproj.io/subscribe.on-rollout-completed.awssqs": "",
      "notifications.argoproj.io/subscribe.on-rollout-aborted.awssqs": "alerts.fifo",
    },
  },
  spec: { strategy: { canary: { steps: [] } } },
  status: { phase: "Healthy", message: "done" },
};

let sqs: FakeSqs;
let dispatchers: HttpDispatchers;
beforeAll(async () => {
  sqs = await FakeSqs.start({
    credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }],
    queues: [
      { name: "myqueue" },
      { name: "alerts.fifo" },
      { name: "dedup.fifo", contentBasedDeduplication: true },
      { name: "theirs", account: OTHER_ACCOUNT },
    ],
  });
  dispatchers = new HttpDispatchers();
});
afterAll(async () => {
  await sqs?.close();
  await dispatchers?.close();
});
beforeEach(() => sqs.reset());

const service = (over: Partial<AwsSqsServiceConfig> = {}): AwsSqsServiceConfig => ({
  type: "awssqs",
  name: "awssqs",
  queue: "myqueue",
  region: "us-east-1",
  endpointUrl: sqs.endpointUrl,
  key: KEY,
  secret: SECRET,
  ...over,
});
const sink = (allowPrivateNetworks = true): Sink =>
  createServiceSink(awsSqsService, {
    dispatchers,
    logger: createLogger({ level: "silent" }),
    timeoutMs: 1000,
    allowPrivateNetworks,
  });

function render(
  svc: ServiceConfig,
  recipient: string,
  specs: TemplateSpec[],
  trigger = "on-rollout-completed",
) {
  const ctx = buildTemplateContext({
    transition: {
      id: `uid-checkout:${trigger}:3`,
      trigger,
      object: { kind: "Rollout", namespace: "shop", name: "checkout", uid: "uid-checkout" },
      rollout: { kind: "Rollout", namespace: "shop", name: "checkout", uid: "uid-checkout" },
      revision: "3",
      snapshot: ROLLOUT,
    },
    rollout: ROLLOUT,
    recipient,
    serviceType: svc.type,
    now: new Date("2026-03-01T12:00:00Z"),
  });
  return renderNotification(specs.map(compileTemplateSpec), ctx, svc);
}

const delivery = (
  svc: AwsSqsServiceConfig,
  recipient: string,
  specs: TemplateSpec[] = [{ name: "t", message: "Rollout {{.rollout.metadata.name}} is done" }],
  over: Partial<Delivery> = {},
): Delivery => ({
  jobId: `job-${recipient}-${specs.length}`,
  destination: { service: svc.name, recipient },
  service: svc,
  notification: render(svc, recipient, specs),
  ...over,
});

describe("awssqs config", () => {
  it("loads upstream's service.awssqs with $secret references from the Secret", () => {
    const { config, errors } = loadNotifierConfig(
      configMap({
        "service.awssqs": [
          'region: "us-east-2"',
          'queue: "myqueue"',
          'account: "1234567"',
          'key: "$awsaccess_key"',
          'secret: "$awsaccess_secret"',
        ].join("\n"),
      }),
      secret({ awsaccess_key: KEY, awsaccess_secret: SECRET }),
    );
    expect(errors).toEqual([]);
    expect(config.services.awssqs).toMatchObject({
      type: "awssqs",
      region: "us-east-2",
      queue: "myqueue",
      account: "1234567",
      key: KEY,
      secret: SECRET,
    });
  });

  it("takes the minimal config (queue only: the default credential chain and region)", () => {
    const { config, errors } = loadNotifierConfig(
      configMap({ "service.awssqs": "queue: myqueue" }),
      undefined,
    );
    expect(errors).toEqual([]);
    expect(config.services.awssqs).toMatchObject({ type: "awssqs", queue: "myqueue" });
  });

  it.each([
    ["queue", "queue: 'my queue'", /queue name/],
    ["region", "region: US East", /AWS region/],
    ["endpointUrl", "endpointUrl: localstack:4566", /http\(s\) URL/],
    ["account", "account: 12-34", /account id/],
    ["delaySeconds", "delaySeconds: 901", /900/],
  ])("an invalid %s is an error naming key and field", (field, yaml, match) => {
    const { errors } = loadNotifierConfig(configMap({ "service.awssqs": yaml }), undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ key: "service.awssqs", path: field });
    expect(errors[0]!.message).toMatch(match);
  });

  it("a template's awssqs section: an invalid attribute name is an error naming the field", () => {
    const { errors } = loadNotifierConfig(
      configMap({ "template.t": "message: hi\nawssqs:\n  messageAttributes:\n    AWS.x: y" }),
      undefined,
    );
    expect(errors[0]).toMatchObject({ key: "template.t" });
    expect(`${errors[0]!.path} ${errors[0]!.message}`).toMatch(/messageAttributes.*AWS\./s);
  });

  it("lists key, secret and session token as secrets", () => {
    expect(awsSqsService.secrets(service({ sessionToken: "session-token-1" }))).toEqual([
      KEY,
      SECRET,
      "session-token-1",
    ]);
  });
});

describe("awssqs render", () => {
  it("a template with only a message: the message is the body (upstream), no attributes", () => {
    const n = render(service(), "", [{ name: "t", message: "hello {{.rollout.metadata.name}}" }]);
    expect(n.awssqs).toEqual({ body: "hello checkout", defaultMessageGroupId: "shop/checkout" });
  });

  it("renders messageAttributes, messageGroupId and messageDeduplicationId; empty attributes are left out", () => {
    const n = render(service(), "", [
      {
        name: "t",
        message: "m",
        awssqs: {
          messageAttributes: { rollout: "{{.rollout.metadata.name}}", empty: "{{.nothing}}" },
          messageGroupId: "{{.rollout.metadata.namespace}}-deploys",
          messageDeduplicationId: "{{.rollout.metadata.uid}}-3",
        },
      },
    ]);
    expect(n.awssqs).toMatchObject({
      body: "m",
      messageAttributes: { rollout: "checkout" },
      messageGroupId: "shop-deploys",
      messageDeduplicationId: "uid-checkout-3",
    });
  });

  it("built-in templates: a JSON event with String attributes for every trigger", () => {
    const triggers = TRIGGER_PRESENTATIONS.map((p) => p.trigger);
    expect(triggers.length).toBeGreaterThan(5);
    for (const trigger of triggers) {
      const n = render(service(), "", [{ name: "slack-only", slack: { attachments: "[]" } }], trigger);
      const event = JSON.parse(n.awssqs!.body) as Record<string, unknown>;
      expect(event.trigger, trigger).toBe(trigger);
      expect(event.rollout).toEqual({ namespace: "shop", name: "checkout" });
      expect(n.awssqs!.messageAttributes).toMatchObject({ trigger, namespace: "shop", rollout: "checkout" });
      expect(n.awssqs!.messageGroupId).toBe("shop/checkout");
    }
  });
});

describe("awssqs sink", () => {
  it("an annotation subscription with an empty recipient sends once to the service's queue, as upstream", async () => {
    const { entries, problems } = readAnnotationSubscriptions(ROLLOUT);
    expect(problems).toEqual([]);
    const completed = entries.find((e) => e.triggers?.includes("on-rollout-completed"));
    expect(completed).toMatchObject({ service: "awssqs", recipients: [""] });
    const recipient = completed!.recipients[0] ?? "";
    const svc = service();
    const receipt = await sink().deliver(delivery(svc, recipient));
    expect(sqs.actions).toEqual(["AmazonSQS.GetQueueUrl", "AmazonSQS.SendMessage"]);
    expect(sqs.messages).toHaveLength(1);
    expect(sqs.messages[0]).toMatchObject({
      queue: "myqueue",
      body: "Rollout checkout is done",
      input: { MessageBody: "Rollout checkout is done", DelaySeconds: 10 },
    });
    expect(sqs.messages[0]!.input).not.toHaveProperty("MessageAttributes");
    expect(receipt.ref).toBe(sqs.messages[0]!.messageId);
    // the dry run shows the same request, the credentials redacted
    const d = delivery(svc, recipient);
    const wire = awsSqsService.wirePayload({ ...d, service: svc, now: new Date() });
    expect(wire.sendMessage).toEqual(sqs.messages[0]!.input);
    expect(wire.credentials).toEqual({ accessKeyId: "[redacted]", secretAccessKey: "[redacted]" });
    expect(JSON.stringify(wire)).not.toContain(SECRET);
    expect(JSON.stringify(wire)).not.toContain(KEY);
  });

  it("the recipient takes precedence over `queue`; the account goes to GetQueueUrl", async () => {
    await sink().deliver(delivery(service({ account: OTHER_ACCOUNT }), "theirs"));
    expect(sqs.messages.map((m) => [m.account, m.queue])).toEqual([[OTHER_ACCOUNT, "theirs"]]);
  });

  it("sends the template's attributes as String attributes", async () => {
    await sink().deliver(
      delivery(service(), "myqueue", [
        { name: "t", message: "m", awssqs: { messageAttributes: { rollout: "{{.rollout.metadata.name}}" } } },
      ]),
    );
    expect(sqs.messages[0]!.input.MessageAttributes).toEqual({
      rollout: { DataType: "String", StringValue: "checkout" },
    });
  });

  it("FIFO: the template's group, a deduplication id from the job id (a retry is dropped by SQS), no delay", async () => {
    const d = delivery(service(), "alerts.fifo", [
      { name: "t", message: "m", awssqs: { messageGroupId: "{{.rollout.metadata.name}}-deployment" } },
    ]);
    await sink().deliver(d);
    await sink().deliver(d);
    expect(sqs.actions.filter((a) => a === "AmazonSQS.SendMessage")).toHaveLength(2);
    expect(sqs.messages).toHaveLength(1);
    const input = sqs.messages[0]!.input;
    expect(input.MessageGroupId).toBe("checkout-deployment");
    expect(input.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(input).not.toHaveProperty("DelaySeconds");
  });

  it("FIFO without a group in the template: the Rollout is the group; the template's dedup id is used", async () => {
    await sink().deliver(
      delivery(service(), "dedup.fifo", [
        { name: "t", message: "m", awssqs: { messageDeduplicationId: "rev-3" } },
      ]),
    );
    expect(sqs.messages[0]!.input).toMatchObject({
      MessageGroupId: "shop/checkout",
      MessageDeduplicationId: "rev-3",
    });
  });

  it("a wrong secret or an unknown key is permanent", async () => {
    let err = await failure(sink().deliver(delivery(service({ secret: "wrong-secret-000000" }), "myqueue")));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/SignatureDoesNotMatch|InvalidSignature/);
    err = await failure(sink().deliver(delivery(service({ key: "AKIAUNKNOWN000000000" }), "myqueue")));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/InvalidClientTokenId|UnrecognizedClient/);
    expect(sqs.messages).toHaveLength(0);
  });

  it("an unknown queue is permanent (QueueDoesNotExist)", async () => {
    const err = await failure(sink().deliver(delivery(service(), "nosuchqueue")));
    expect(err.transient).toBe(false);
    expect(err.message, err.message).toMatch(/QueueDoesNotExist/);
  });

  it("a message over the queue's maximum size is permanent", async () => {
    const err = await failure(
      sink().deliver(delivery(service(), "myqueue", [{ name: "t", message: "x".repeat(300 * 1024) }])),
    );
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/InvalidParameterValue.*shorter than 262144/);
  });

  it("characters SQS does not take are replaced by U+FFFD", async () => {
    await sink().deliver(delivery(service(), "myqueue", [{ name: "t", message: "a\u0001b" }]));
    expect(sqs.messages[0]!.body).toBe("a\uFFFDb");
  });

  it.each([
    [{ status: 400, code: "ThrottlingException" }, true],
    [{ status: 400, code: "RequestThrottled" }, true],
    [{ status: 429 }, true],
    [{ status: 500 }, true],
    [{ status: 503 }, true],
    [{ status: 400 }, false],
  ])("classifies %o (transient: %s)", async (f, transient) => {
    sqs.fail(f);
    const err = await failure(sink().deliver(delivery(service(), "myqueue")));
    expect(err.transient).toBe(transient);
  });

  it("a timeout and a refused connection are transient", async () => {
    sqs.fail({ delayMs: 2500 });
    expect((await failure(sink().deliver(delivery(service(), "myqueue")))).transient).toBe(true);
    const down = service({ endpointUrl: "http://127.0.0.1:1" });
    const err = await failure(sink().deliver(delivery(down, "myqueue")));
    expect(err.transient).toBe(true);
  });

  it("never carries the key or secret, even when the remote echoes them", async () => {
    sqs.fail({ status: 400, echo: true });
    const err = await failure(sink().deliver(delivery(service(), "myqueue")));
    expect(err.transient).toBe(false);
    const text = `${err.message} ${String(err.cause ?? "")} ${JSON.stringify(err)}`;
    expect(text).toMatch(/\[redacted\]/);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
  });

  it("a namespace's service: a private endpointUrl is refused (SSRF guard), permanent, nothing sent", async () => {
    const tenant = service({ tenantNamespace: "team-a" });
    const err = await failure(
      sink(false).deliver(delivery(tenant, "myqueue", undefined, { tenantNamespace: "team-a" })),
    );
    expect(err.transient).toBe(false);
    expect(err.code).toBe("blocked_address");
    expect(sqs.received).toHaveLength(0);
    // the central service reaches the same stand-in
    await sink(false).deliver(delivery(service(), "myqueue"));
    expect(sqs.messages).toHaveLength(1);
  });

  it("a namespace's ConfigMap: a service without key and secret is an error on its key at load; with them it loads", () => {
    const load = (data: Record<string, string>, sec?: Record<string, string>) =>
      loadNotifierConfig(configMap(data, "team-a"), sec ? secret(sec, "team-a") : undefined, {
        tenantNamespace: "team-a",
      });
    const none = load({ "service.awssqs": "queue: q\nregion: us-east-1" });
    expect(none.errors).toEqual([
      {
        source: "team-a/argo-rollouts-notification-configmap",
        key: "service.awssqs",
        path: "key",
        message: expect.stringMatching(/^a namespace's service must set key and secret/),
      },
    ]);
    expect(none.config.services.awssqs).toBeUndefined();
    expect(load({ "service.awssqs": "queue: q\nkey: $k" }, { k: "AKIAEXAMPLEKEY" }).errors[0]?.path).toBe(
      "secret",
    );
    const both = load(
      { "service.awssqs": "queue: q\nkey: $k\nsecret: $s" },
      { k: "AKIAEXAMPLEKEY", s: "example-secret-value" },
    );
    expect(both.errors).toEqual([]);
    expect(both.config.services.awssqs?.tenantNamespace).toBe("team-a");
  });

  it("a namespace's service without key and secret is refused (it may not use the notifier's identity)", async () => {
    const tenant = service({ tenantNamespace: "team-a", key: undefined, secret: undefined });
    delete tenant.key;
    delete tenant.secret;
    // a phrase after `service "<name>" `, as every recipient problem is reported
    expect(awsSqsService.recipients.problem(tenant, "myqueue")).toMatch(/^must set key and secret/);
    const err = await failure(
      sink().deliver(delivery(tenant, "myqueue", undefined, { tenantNamespace: "team-a" })),
    );
    expect(err.code).toBe("invalid_config");
    expect(sqs.received).toHaveLength(0);
  });

  it("without key and secret, the default credential chain (here: the environment) signs", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = KEY;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    try {
      const svc = service();
      delete svc.key;
      delete svc.secret;
      await sink().deliver(delivery(svc, "myqueue"));
      expect(sqs.messages).toHaveLength(1);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
