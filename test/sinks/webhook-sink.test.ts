import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { type Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { joinWebhookUrl } from "../../src/sinks/webhook/webhook-request.ts";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../../src/sinks/webhook/webhook-signature.ts";
import { WebhookSink } from "../../src/sinks/webhook/webhook-sink.ts";
import type { WebhookServiceConfig } from "../../src/sinks/webhook/webhook-types.ts";
import { FakeWebhook } from "../support/fake-webhook.ts";

const logger = createLogger({ level: "silent" });

function delivery(
  service: WebhookServiceConfig,
  over: Partial<Delivery<WebhookServiceConfig>> = {},
): Delivery<WebhookServiceConfig> {
  return {
    jobId: "tr-1/github/",
    destination: { service: service.name, recipient: "" },
    service,
    notification: {
      message: "rollout guestbook completed",
      webhook: { method: "POST", path: "/repos/acme/app/statuses/abc", body: '{"state":"success"}' },
    },
    ...over,
  };
}

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe("webhook sink", () => {
  let hook: FakeWebhook;
  let dispatchers: HttpDispatchers;
  let sink: WebhookSink;

  beforeAll(async () => {
    hook = await FakeWebhook.start();
  });
  afterAll(async () => {
    await hook.close();
  });
  beforeEach(async () => {
    hook.requests.length = 0;
    hook.status = 200;
    await dispatchers?.close();
    dispatchers = new HttpDispatchers();
    sink = new WebhookSink({ dispatchers, logger });
  });

  const service = (over: Partial<WebhookServiceConfig> = {}): WebhookServiceConfig => ({
    type: "webhook",
    name: "github",
    url: `${hook.url}/api/`,
    ...over,
  });

  it("joins url and path, sends method, body, service and template headers and an idempotency key", async () => {
    const svc = service({
      headers: [
        { name: "Content-Type", value: "application/json" },
        { name: "X-Env", value: "svc" },
      ],
    });
    const d = delivery(svc);
    d.notification.webhook!.headers = [{ name: "X-Env", value: "template" }];
    d.notification.webhook!.path = "/repos/acme/app/statuses/abc?x=1";
    await expect(sink.deliver(d)).resolves.toEqual({ ref: "200" });
    expect(hook.requests).toHaveLength(1);
    const r = hook.requests[0]!;
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/api/repos/acme/app/statuses/abc?x=1");
    expect(r.body).toBe('{"state":"success"}');
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["x-env"]).toBe("template");
    expect(r.headers["idempotency-key"]).toBe("tr-1/github/");
    expect(r.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
  });

  it("joins paths like upstream", () => {
    expect(joinWebhookUrl("https://h/api/", "/x")).toBe("https://h/api/x");
    expect(joinWebhookUrl("https://h/api", "x")).toBe("https://h/api/x");
    expect(joinWebhookUrl("https://h/api//", "//x/y")).toBe("https://h/api/x/y");
    expect(joinWebhookUrl("https://h/api", "")).toBe("https://h/api");
  });

  it("without a webhook template sends GET with the message as body (upstream default)", async () => {
    const d = delivery(service(), { notification: { message: "plain message" } });
    await sink.deliver(d);
    expect(hook.requests[0]).toMatchObject({ method: "GET", path: "/api/", body: "plain message" });
  });

  it("signs the body so the receiver can verify it", async () => {
    const secret = "whsec-test-secret";
    await sink.deliver(delivery(service({ signingSecret: secret })));
    const r = hook.requests[0]!;
    const header = r.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, r.rawBody)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature("other", header, r.rawBody)).toEqual({
      ok: false,
      reason: "signature mismatch",
    });
    expect(verifyWebhookSignature(secret, header, `${r.body} `)).toEqual({
      ok: false,
      reason: "signature mismatch",
    });
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifyWebhookSignature(secret, header, r.rawBody, { nowSec: t + 301 })).toEqual({
      ok: false,
      reason: "timestamp outside tolerance",
    });
  });

  it("sends basic auth and bearer tokens from the service, over template headers", async () => {
    const d = delivery(service({ basicAuth: { username: "bot", password: "p@ss:word" } }));
    d.notification.webhook!.headers = [{ name: "Authorization", value: "Bearer from-template" }];
    await sink.deliver(d);
    expect(hook.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from("bot:p@ss:word").toString("base64")}`,
    );
    await sink.deliver(delivery(service({ bearerToken: "tok-123" })));
    expect(hook.requests[1]!.headers.authorization).toBe("Bearer tok-123");
  });

  it("maps statuses: 5xx/408/429 transient (Retry-After honoured), other 4xx permanent", async () => {
    hook.fail({ status: 503 });
    expect(await deliveryError(sink.deliver(delivery(service())))).toMatchObject({
      transient: true,
      code: "http_503",
    });
    hook.fail({ status: 429, retryAfter: "7" });
    expect(await deliveryError(sink.deliver(delivery(service())))).toMatchObject({
      transient: true,
      retryAfterMs: 7000,
    });
    hook.fail({ status: 408 });
    expect((await deliveryError(sink.deliver(delivery(service())))).transient).toBe(true);
    hook.fail({ status: 404, body: "no such repo" });
    const e = await deliveryError(sink.deliver(delivery(service())));
    expect(e).toMatchObject({ transient: false, code: "http_404" });
    expect(e.message).toContain("no such repo");
    hook.fail({ status: 302 });
    expect(await deliveryError(sink.deliver(delivery(service())))).toMatchObject({ transient: false });
  });

  it("times out as a transient failure", async () => {
    hook.fail({ delayMs: 1500 });
    const e = await deliveryError(sink.deliver(delivery(service({ timeoutMs: 150 }))));
    expect(e).toMatchObject({ transient: true, code: "timeout" });
  });

  it("connection refused and reset are transient", async () => {
    await hook.down(60_000, "refuse");
    try {
      expect(await deliveryError(sink.deliver(delivery(service())))).toMatchObject({
        transient: true,
        code: "network_error",
      });
    } finally {
      await hook.up();
    }
    hook.fail({ reset: true });
    expect((await deliveryError(sink.deliver(delivery(service())))).transient).toBe(true);
  });

  it("never puts credentials or the URL path in errors", async () => {
    hook.fail({ status: 500 });
    const svc = service({ url: `${hook.url}/services/T000/B000/SECRETPATH`, bearerToken: "tok-secret" });
    const e = await deliveryError(sink.deliver(delivery(svc, { notification: { message: "m" } })));
    expect(e.message).not.toContain("SECRETPATH");
    expect(e.message).not.toContain("tok-secret");
  });

  describe("SSRF guard for namespace self-service webhooks", () => {
    it("refuses a tenant webhook to 127.0.0.1 before sending anything", async () => {
      const e = await deliveryError(sink.deliver(delivery(service(), { tenantNamespace: "team-a" })));
      expect(e).toMatchObject({ transient: false, code: "blocked_address" });
      expect(e.message).toContain("team-a");
      expect(e.message).toContain("loopback");
      expect(hook.requests).toHaveLength(0);
    });

    it("allows the same URL from the service-level config", async () => {
      await expect(sink.deliver(delivery(service()))).resolves.toEqual({ ref: "200" });
    });

    it("refuses a tenant host name that resolves to loopback (localhost)", async () => {
      const svc = service({ url: `http://localhost:${hook.port}/` });
      const e = await deliveryError(sink.deliver(delivery(svc, { tenantNamespace: "team-a" })));
      expect(e).toMatchObject({ transient: false, code: "blocked_address" });
      expect(hook.requests).toHaveLength(0);
    });

    it("refuses IPv4-mapped IPv6 and bracketed IPv6 loopback literals", async () => {
      for (const host of ["[::1]", "[::ffff:127.0.0.1]"]) {
        const svc = service({ url: `http://${host}:${hook.port}/` });
        const e = await deliveryError(sink.deliver(delivery(svc, { tenantNamespace: "team-a" })));
        expect(e.code).toBe("blocked_address");
      }
      expect(hook.requests).toHaveLength(0);
    });

    it("lets tenants reach private addresses when the operator allows it", async () => {
      const open = new WebhookSink({ dispatchers, logger, allowPrivateNetworks: true });
      await expect(open.deliver(delivery(service(), { tenantNamespace: "team-a" }))).resolves.toEqual({
        ref: "200",
      });
    });
  });
});

describe("webhook sink over TLS", () => {
  let dir: string;
  let hook: FakeWebhook;
  const dispatchers = new HttpDispatchers();
  const sink = new WebhookSink({ dispatchers, logger });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rn-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { cwd: dir, stdio: "ignore" },
    );
    hook = await FakeWebhook.start({
      tls: { key: readFileSync(join(dir, "k.pem"), "utf8"), cert: readFileSync(join(dir, "c.pem"), "utf8") },
    });
  });
  afterAll(async () => {
    await hook?.close();
    await dispatchers.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects a self-signed certificate unless insecureSkipVerify", async () => {
    const svc: WebhookServiceConfig = { type: "webhook", name: "selfsigned", url: hook.url };
    const e = await deliveryError(sink.deliver(delivery(svc)));
    expect(e.transient).toBe(true);
    expect(hook.requests).toHaveLength(0);
    await expect(sink.deliver(delivery({ ...svc, insecureSkipVerify: true }))).resolves.toEqual({
      ref: "200",
    });
    expect(hook.requests).toHaveLength(1);
  });
});
