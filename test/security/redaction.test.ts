// Credentials must not leak when a remote echoes them: the failure reason, logs, dead letters and metric labels
// never carry a secret value in any encoding; metric reasons come from a closed set.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { ErrorCode } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { createLogger } from "../../src/logger.ts";
import { classifyDeliveryFailure } from "../../src/queue/delivery-failure.ts";
import { FAILURE_REASONS, failureReason } from "../../src/queue/failure-reason.ts";
import { metricsDeliveryHooks } from "../../src/queue/metrics-hooks.ts";
import {
  MAX_SPELLINGS_PER_SCOPE,
  processRedactor,
  SecretRedactor,
  secretEncodings,
} from "../../src/redaction/secret-redactor.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { slackDeliveryError } from "../../src/sinks/slack/slack-errors.ts";
import { WebhookSink } from "../../src/sinks/webhook/webhook-sink.ts";
import type { WebhookServiceConfig } from "../../src/sinks/webhook/webhook-types.ts";
import { configMap, secret } from "../config/load-examples.ts";

const TOKEN = "xoxb-1234-5678-abcdefSECRET";
const USER = "ci-bot";
const PASS = "p@ss:w0rd/with?odd&chars";

function spellings(): string[] {
  return [
    TOKEN,
    `Bearer ${TOKEN}`,
    PASS,
    encodeURIComponent(PASS),
    Buffer.from(`${USER}:${PASS}`).toString("base64"),
    `${USER}:${encodeURIComponent(PASS)}`,
    Buffer.from(TOKEN).toString("base64"),
  ];
}

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), text: () => lines.join("") };
}

function loadSecrets(): ConfigStore {
  const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
  store.update(
    configMap({
      "service.slack": "token: $slack-token",
      "service.webhook.ci": `url: https://${USER}:${encodeURIComponent(PASS)}@ci.example/hook\nbasicAuth:\n  username: ${USER}\n  password: $ci-pass`,
    }),
    secret({ "slack-token": TOKEN, "ci-pass": PASS }),
  );
  expect(store.readiness()).toMatchObject({ ok: true, detail: [] });
  return store;
}

describe("Slack error that echoes the token", () => {
  const slackService = { type: "slack" as const, name: "slack", token: TOKEN };
  const echoed = Object.assign(new Error(`An API error occurred: invalid_auth Bearer ${TOKEN}`), {
    code: ErrorCode.PlatformError,
    data: { ok: false, error: `invalid_auth Bearer ${TOKEN}` },
  });

  it("becomes a closed-set metric reason and a redacted message", async () => {
    loadSecrets();
    const failure = classifyDeliveryFailure(slackDeliveryError("chat.postMessage", echoed), slackService);
    expect(failure.code).toBe("slack_error");
    for (const s of spellings()) expect(failure.message).not.toContain(s);
    expect(failure.message).toContain("[redacted]");

    const m = createMetrics();
    const hooks = metricsDeliveryHooks(m);
    hooks.onFailed?.({
      jobId: "j",
      object: { kind: "Rollout", namespace: "a", name: "b", uid: "u" },
      service: "slack",
      recipient: "deploys",
      trigger: "on-rollout-completed",
      attempt: 1,
      failure,
    });
    const text = await m.registry.metrics();
    expect(text).not.toContain("xoxb");
    expect(text).toContain('rollouts_notifier_notifications_failed_total{service="slack",reason="other"} 1');
  });

  it("every failure code maps into the closed set", () => {
    for (const code of [
      "invalid_auth",
      "http_401",
      "http-503",
      "http_418",
      "timeout",
      "ECONNRESET",
      "x y z",
    ]) {
      expect(FAILURE_REASONS).toContain(failureReason(code));
    }
    expect(failureReason("invalid_auth")).toBe("auth");
    expect(failureReason("http-503")).toBe("http_5xx");
    expect(failureReason("network-ECONNRESET")).toBe("network");
    expect(failureReason("network-UND_ERR_SOCKET")).toBe("network");
    expect(failureReason("network-UND_ERR_HEADERS_TIMEOUT")).toBe("timeout");
    expect(failureReason("ETIMEDOUT")).toBe("timeout");
    expect(failureReason("network-EWHATEVER")).toBe("other");
    expect(failureReason(`invalid_auth Bearer ${TOKEN}`)).toBe("other");
  });
});

describe("logs never carry a known secret, in any encoding", () => {
  it("raw, Bearer, base64 of user:pass, URL-encoded, URL userinfo, JSON-escaped", () => {
    loadSecrets();
    const { logger, text } = captureLogger();
    for (const s of spellings()) {
      logger.info({ detail: s, nested: { body: `echo: ${s}` } }, `remote said ${s}`);
      logger.error({ err: new Error(`failed with ${s}`) }, "delivery failed");
    }
    logger.warn(`url https://${USER}:${encodeURIComponent(PASS)}@ci.example/hook`);
    logger.warn({ q: JSON.stringify({ pass: PASS }) }, "json in a field");
    const out = text();
    for (const s of spellings()) expect(out).not.toContain(s);
    expect(out).not.toContain("w0rd");
    expect(out).toContain("[redacted]");
  });

  it("a redactor knows every encoding of a value", () => {
    const r = new SecretRedactor();
    r.addValues("t", ["s3cr3t/valu e"]);
    for (const e of secretEncodings("s3cr3t/valu e")) expect(r.redact(`a ${e} b`)).toBe("a [redacted] b");
    expect(r.redactValue({ a: ["x s3cr3t/valu e"] })).toEqual({ a: ["x [redacted]"] });
    expect(processRedactor.size).toBeGreaterThan(0);
  });
});

describe("a webhook server that echoes the request headers", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "bad request", youSent: req.headers }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("does not leak Basic auth or a bearer token into the failure (dead letter) message", async () => {
    loadSecrets();
    const dispatchers = new HttpDispatchers();
    const sink = new WebhookSink({ dispatchers, logger: createLogger({ level: "silent" }) });
    const service: WebhookServiceConfig = {
      type: "webhook",
      name: "ci",
      url: `${url}/hook`,
      basicAuth: { username: USER, password: PASS },
      headers: [{ name: "X-Api-Token", value: TOKEN }],
    };
    const err = await sink
      .deliver({
        jobId: "j/ci/",
        destination: { service: "ci", recipient: "" },
        service,
        notification: { message: "m", webhook: { method: "POST", path: "", body: "{}" } },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await dispatchers.close();
    const failure = classifyDeliveryFailure(err, service);
    for (const s of spellings()) expect(failure.message).not.toContain(s);
    expect(failureReason(failure)).toBe("http_4xx");
  });
});

describe("a namespace rewriting its own Secret", () => {
  it("cannot grow the redactor without end: the spellings of versions long rotated away go first, the current ones stay", () => {
    const redactor = new SecretRedactor();
    const storeWith = new ConfigStore({ logger: createLogger({ level: "silent" }), redactor });
    const cm = configMap({ "service.webhook.hook": "url: https://hooks.example.com/$path" }, "team-a");
    const version = (v: number) =>
      secret(
        Object.fromEntries([
          ["path", "kept-across-versions-0001"],
          ...Array.from({ length: 2_000 }, (_, i) => [`k${i}`, `v${v}-value-${i}-padding`]),
        ]),
        "team-a",
      );
    // 20 versions of 2,000 values: ~14 spellings × 40,000 without a bound
    for (let v = 0; v < 20; v++) storeWith.updateNamespace("team-a", cm, version(v));
    expect(redactor.size).toBeLessThanOrEqual(MAX_SPELLINGS_PER_SCOPE);
    // the latest version and the value every version has are scrubbed; the first version's are forgotten
    expect(redactor.redact("x v19-value-1999-padding y")).toBe("x [redacted] y");
    expect(redactor.redact("x v19-value-0-padding y")).toBe("x [redacted] y");
    expect(redactor.redact("x kept-across-versions-0001 y")).toBe("x [redacted] y");
    expect(redactor.redact("x v0-value-5-padding y")).toBe("x v0-value-5-padding y");
  });
});
