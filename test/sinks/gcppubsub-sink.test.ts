// The gcppubsub service type: config from an upstream-format ConfigMap (keyJSON from the Secret), upstream's
// rendering (the message as data, the last template's attributes), and the sink against the stand-in token
// endpoint and Pub/Sub API (test/support/fake-pubsub.ts): exactly what arrives, the JWT grant, each failure class,
// no credential in any error even when the remote echoes it, the SSRF guard and credential rules for a namespace's
// own service, upstream's keyFile, and Application Default Credentials.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServiceSink } from "../../src/sinks/create-sinks.ts";
import {
  AccessTokens,
  MAX_CACHED_TOKENS,
  serviceAccountJwt,
} from "../../src/sinks/gcppubsub/gcppubsub-auth.ts";
import { parseServiceAccountKey } from "../../src/sinks/gcppubsub/gcppubsub-request.ts";
import { gcppubsubService } from "../../src/sinks/gcppubsub/gcppubsub-service.ts";
import { GcpPubsubSink } from "../../src/sinks/gcppubsub/gcppubsub-sink.ts";
import type { GcpPubsubServiceConfig } from "../../src/sinks/gcppubsub/gcppubsub-types.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { UPSTREAM_TYPES_NOT_BUILT } from "../../src/sinks/registry.ts";
import type { Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { TRIGGER_PRESENTATIONS } from "../../src/templates/builtin/trigger-presentation.ts";
import { compileTemplateSpec } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import type { Notification } from "../../src/templates/notification.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { configMap, secret } from "../config/load-examples.ts";
import { FakePubsub, makeServiceAccount, type ServiceAccount } from "../support/fake-pubsub.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const PROJECT = "shop-prod-1";
const EMAIL = "notifier@shop-prod-1.iam.gserviceaccount.com";
let ps: FakePubsub;
let account: ServiceAccount;
let dispatchers: HttpDispatchers;
const logger = createLogger({ level: "silent" });

beforeAll(async () => {
  ps = await FakePubsub.start();
  account = ps.addServiceAccount(EMAIL, [PROJECT]);
  ps.addTopic(PROJECT, "rollouts");
  ps.addTopic(PROJECT, "alerts");
  ps.addTopic("other-project", "rollouts");
  dispatchers = new HttpDispatchers();
});
afterAll(async () => {
  await ps?.close();
  await dispatchers?.close();
});
beforeEach(() => ps.reset());

const service = (over: Partial<GcpPubsubServiceConfig> = {}): GcpPubsubServiceConfig => ({
  type: "gcppubsub",
  name: "gcppubsub",
  project: PROJECT,
  topic: "rollouts",
  keyJSON: account.keyJSON,
  endpoint: ps.endpoint,
  ...over,
});

const sink = (opts: { allowPrivateNetworks?: boolean; timeoutMs?: number } = {}) =>
  createServiceSink(gcppubsubService, {
    dispatchers,
    logger,
    timeoutMs: opts.timeoutMs ?? 2000,
    allowPrivateNetworks: opts.allowPrivateNetworks ?? true,
  });

const delivery = (
  notification: Notification,
  recipient = "",
  over: Partial<Delivery<GcpPubsubServiceConfig>> = {},
): Delivery<GcpPubsubServiceConfig> => ({
  jobId: "job-1",
  destination: { service: "gcppubsub", recipient },
  service: over.service ?? service(),
  notification,
  ...over,
});

/** Every spelling of a credential that must never show. */
function expectNoCredential(text: string, token?: string): void {
  expect(text).not.toContain(account.privateKey);
  for (const line of account.privateKey.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
    expect(text).not.toContain(line);
  if (token) expect(text).not.toContain(token);
  expect(text).not.toMatch(/ya29\.[A-Za-z0-9_-]{10,}/);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.eyJ/);
}

const errorText = (err: DeliveryError) =>
  `${err.message} ${String((err.cause as Error | undefined)?.message ?? "")}`;

describe("config", () => {
  const load = (svc: string, stringData: Record<string, string> = {}) =>
    loadNotifierConfig(configMap({ "service.gcppubsub": svc }), secret(stringData));

  it("is built: no longer listed among upstream's types not built", () => {
    expect(UPSTREAM_TYPES_NOT_BUILT).not.toContain("gcppubsub");
  });

  it("loads upstream's keys, with the key from the Secret ($ref)", () => {
    const { config, errors, warnings } = load(
      'project: "shop-prod-1"\ntopic: "rollouts"\nkeyJSON: $gcp-pubsub-key\n',
      { "gcp-pubsub-key": account.keyJSON },
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config.services.gcppubsub).toEqual({
      type: "gcppubsub",
      name: "gcppubsub",
      project: "shop-prod-1",
      topic: "rollouts",
      keyJSON: account.keyJSON,
    });
  });

  it("loads upstream's documented examples: keyFile, and no key at all (Application Default Credentials)", () => {
    const withFile = load(
      'project: "my-gcp-project"\ntopic: "my-topic"\nkeyFile: "/var/secrets/gcp/key.json"\n',
    );
    expect(withFile.errors).toEqual([]);
    expect(withFile.config.services.gcppubsub).toMatchObject({ keyFile: "/var/secrets/gcp/key.json" });
    const adc = load('project: "my-gcp-project"\ntopic: "my-topic"\n');
    expect(adc.errors).toEqual([]);
  });

  it("errors name the key and the field, and never quote the key", () => {
    const { errors } = load("topic: goog-x\nkeyJSON: $k\nendpoint: ftp://x\n", {
      k: '{"type":"authorized_user","private_key":"SECRET-MATERIAL"}',
    });
    const fields = errors.map((e) => [e.key, e.path]);
    expect(fields).toEqual(
      expect.arrayContaining([
        ["service.gcppubsub", "project"],
        ["service.gcppubsub", "topic"],
        ["service.gcppubsub", "keyJSON"],
        ["service.gcppubsub", "endpoint"],
      ]),
    );
    expect(JSON.stringify(errors)).not.toContain("SECRET-MATERIAL");
    const bad = load("project: shop-prod-1\nkeyJSON: $k\n", { k: "not json SECRET-MATERIAL" });
    expect(bad.errors.map((e) => e.message)).toEqual([expect.stringMatching(/not JSON/)]);
    expect(JSON.stringify(bad.errors)).not.toContain("SECRET-MATERIAL");
    const badPem = parseServiceAccountKey(
      JSON.stringify({ type: "service_account", client_email: EMAIL, private_key: "x" }),
    );
    expect(badPem).toEqual({ problem: "private_key is not a PEM private key" });
  });

  it("a namespace's own service must give keyJSON: keyFile and no key (ADC) are errors on their key", () => {
    const tenant = (svc: string, stringData: Record<string, string> = {}) =>
      loadNotifierConfig(configMap({ "service.gcppubsub": svc }, "team-a"), secret(stringData, "team-a"), {
        tenantNamespace: "team-a",
      });
    const withKey = tenant("project: shop-prod-1\nkeyJSON: $k\n", { k: account.keyJSON });
    expect(withKey.errors).toEqual([]);
    expect(withKey.config.services.gcppubsub).toMatchObject({ tenantNamespace: "team-a" });
    const withFile = tenant("project: shop-prod-1\nkeyFile: /var/secrets/gcp/key.json\n");
    expect(withFile.errors.map((e) => [e.key, e.path])).toEqual([["service.gcppubsub", "keyFile"]]);
    expect(withFile.config.services.gcppubsub).toBeUndefined();
    const withNone = tenant("project: shop-prod-1\n");
    expect(withNone.errors.map((e) => [e.key, e.path, e.message])).toEqual([
      [
        "service.gcppubsub",
        "keyJSON",
        expect.stringMatching(/Application Default Credentials are for central/),
      ],
    ]);
  });

  it("recipients: a topic id, or empty for the service's topic", () => {
    const p = gcppubsubService.recipients.problem;
    expect(p(service(), "")).toBeUndefined();
    expect(p(service(), "alerts")).toBeUndefined();
    expect(p(service({ topic: undefined }), "")).toMatch(/without a topic/);
    expect(p(service(), "projects/shop-prod-1/topics/alerts")).toMatch(/topic id, not its full name/);
    expect(p(service(), "goog-alerts")).toMatch(/goog/);
  });
});

describe("render", () => {
  const ROLLOUT = { kind: "Rollout", namespace: "shop", name: "checkout", uid: "u1" };
  const ctx = (trigger = "on-rollout-aborted") =>
    buildTemplateContext({
      transition: {
        id: "t1",
        trigger,
        object: ROLLOUT,
        rollout: ROLLOUT,
        revision: "3",
        snapshot: {} as never,
      },
      rollout: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: {
          name: "checkout",
          namespace: "shop",
          uid: "u1",
          annotations: { "rollout.argoproj.io/revision": "3" },
        },
        status: { phase: "Degraded", message: "RolloutAborted: metric failed" },
      } as never,
      recipient: "rollouts",
      serviceType: "gcppubsub",
      now: new Date("2026-03-01T12:00:00Z"),
    });

  it("publishes the message with the template's attributes (upstream's documented template)", () => {
    const t = compileTemplateSpec({
      name: "deployment-ready",
      message: "Deployment {{.rollout.metadata.name}} is ready!\n",
      gcppubsub: {
        attributes: {
          app: "{{.rollout.metadata.name}}",
          environment: "production",
          empty: '{{if eq .rollout.metadata.name "x"}}y{{end}}',
        },
      },
    });
    const n = renderNotification([t], ctx(), service());
    expect(n.gcppubsub).toEqual({
      data: "Deployment checkout is ready!\n",
      attributes: { app: "checkout", environment: "production" },
    });
  });

  it("a template with only a message publishes the message, no attributes (upstream)", () => {
    const t = compileTemplateSpec({ name: "m", message: "Rollout {{.rollout.metadata.name}} aborted" });
    expect(renderNotification([t], ctx(), service()).gcppubsub).toEqual({ data: "Rollout checkout aborted" });
  });

  it("the last template with attributes gives them all (upstream replaces the map)", () => {
    const a = compileTemplateSpec({ name: "a", message: "m", gcppubsub: { attributes: { x: "1", y: "2" } } });
    const b = compileTemplateSpec({ name: "b", gcppubsub: { attributes: { y: "3" } } });
    expect(renderNotification([a, b], ctx(), service()).gcppubsub).toEqual({
      data: "m",
      attributes: { y: "3" },
    });
  });

  it("the built-in template of every trigger: a JSON event as data and attributes to filter on", () => {
    for (const p of TRIGGER_PRESENTATIONS) {
      const n = renderNotification([], ctx(p.trigger), service());
      const event = JSON.parse(n.gcppubsub!.data) as Record<string, unknown>;
      expect(event, p.trigger).toMatchObject({
        trigger: p.trigger,
        outcome: p.outcome,
        rollout: { namespace: "shop", name: "checkout" },
        revision: "3",
      });
      expect(n.gcppubsub!.attributes).toMatchObject({
        trigger: p.trigger,
        outcome: p.outcome,
        namespace: "shop",
        rollout: "checkout",
        revision: "3",
      });
    }
  });
});

describe("sink", () => {
  const note = (data: string, attributes?: Record<string, string>): Notification => ({
    message: data,
    gcppubsub: attributes ? { data, attributes } : { data },
  });

  it("publishes once to the recipient's topic with the data and attributes; the JWT grant is Google's", async () => {
    const receipt = await sink().deliver(
      delivery(note("Rollout checkout aborted", { app: "checkout" }), "alerts"),
    );
    expect(
      ps.published.map(({ project, topic, data, attributes }) => ({ project, topic, data, attributes })),
    ).toEqual([
      {
        project: PROJECT,
        topic: "alerts",
        data: "Rollout checkout aborted",
        attributes: { app: "checkout" },
      },
    ]);
    expect(receipt.ref).toBe(ps.published[0]!.messageId);
    expect(ps.grants).toHaveLength(1);
    const claims = ps.grants[0]!;
    expect(claims).toMatchObject({
      iss: EMAIL,
      aud: ps.tokenURL,
      scope: "https://www.googleapis.com/auth/pubsub https://www.googleapis.com/auth/cloud-platform",
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it("an empty recipient publishes to the service's topic; the token is reused across deliveries", async () => {
    const s = sink();
    await s.deliver(delivery(note("one")));
    await s.deliver(delivery(note("two")));
    expect(ps.published.map((m) => [m.topic, m.data])).toEqual([
      ["rollouts", "one"],
      ["rollouts", "two"],
    ]);
    expect(ps.grants).toHaveLength(1);
  });

  it("what the dry run shows is what is sent, the credentials REDACTED", async () => {
    const d = delivery(note("hello", { a: "b" }), "alerts");
    await sink().deliver(d);
    const wire = gcppubsubService.wirePayload({ ...d, now: new Date() });
    expect(wire).toMatchObject({
      type: "gcppubsub",
      api: `${ps.endpoint}/v1/projects/${PROJECT}/topics/alerts:publish`,
      topic: `projects/${PROJECT}/topics/alerts`,
      headers: { authorization: "Bearer [redacted]" },
      credentials: `keyJSON service account ${EMAIL} via ${ps.tokenURL}`,
      text: "hello",
    });
    expect(wire.body).toEqual(JSON.parse(ps.published[0]!.raw));
    expectNoCredential(JSON.stringify(wire));
  });

  it("429 and 503 are transient with Retry-After; a retry then publishes once", async () => {
    ps.fail({ status: 429, retryAfterSec: 3 });
    const throttled = await failure(sink().deliver(delivery(note("x"))));
    expect([throttled.transient, throttled.retryAfterMs, throttled.code]).toEqual([true, 3000, "http_429"]);
    expect(throttled.message).toMatch(/RESOURCE_EXHAUSTED/);
    ps.fail({ status: 503 });
    expect((await failure(sink().deliver(delivery(note("x"))))).transient).toBe(true);
    await sink().deliver(delivery(note("x")));
    expect(ps.published).toHaveLength(1);
  });

  it("an unknown topic or project is permanent (404 NOT_FOUND, 403 PERMISSION_DENIED)", async () => {
    const missing = await failure(sink().deliver(delivery(note("x"), "nope-topic")));
    expect([missing.transient, missing.code]).toEqual([false, "http_404"]);
    expect(missing.message).toMatch(/NOT_FOUND: Resource not found \(resource=nope-topic\)/);
    const denied = await failure(
      sink().deliver(delivery(note("x"), "rollouts", { service: service({ project: "other-project" }) })),
    );
    expect([denied.transient, denied.code]).toEqual([false, "http_403"]);
  });

  it("an invalid message is permanent and never sent: empty, too many or reserved attributes, oversize", async () => {
    const cases: Notification[] = [
      note(""),
      note("x", Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, "v"]))),
      note("x", { googthing: "v" }),
      note("x", { a: "v".repeat(1025) }),
      note("x".repeat(7_600_000)),
    ];
    for (const n of cases) {
      const err = await failure(sink().deliver(delivery(n)));
      expect(err.transient).toBe(false);
    }
    expect(ps.received).toHaveLength(0);
  });

  it("a key the token endpoint refuses is permanent; its 5xx and a timeout are transient", async () => {
    const stranger = makeServiceAccount("stranger@shop-prod-1.iam.gserviceaccount.com", ps.tokenURL);
    const refused = await failure(
      sink().deliver(delivery(note("x"), "", { service: service({ keyJSON: stranger.keyJSON }) })),
    );
    expect([refused.transient, refused.code]).toEqual([false, "http_400"]);
    expect(refused.message).toMatch(/token endpoint answered HTTP 400: invalid_grant/);
    ps.failToken({ status: 503 });
    expect((await failure(sink().deliver(delivery(note("x"))))).transient).toBe(true);
    ps.failToken({ delayMs: 600 });
    const late = await failure(sink({ timeoutMs: 300 }).deliver(delivery(note("x"))));
    expect([late.transient, late.code]).toEqual([true, "timeout"]);
    expect(ps.received).toHaveLength(0);
  });

  it("a publish timeout and network errors are transient", async () => {
    ps.fail({ delayMs: 600 });
    const late = await failure(sink({ timeoutMs: 300 }).deliver(delivery(note("x"))));
    expect([late.transient, late.code]).toEqual([true, "timeout"]);
    const closed = await failure(
      sink().deliver(delivery(note("x"), "", { service: service({ endpoint: "http://127.0.0.1:9" }) })),
    );
    expect([closed.transient, closed.code]).toEqual([true, "network_error"]);
  });

  it("a refused access token (401) is dropped and the retry fetches a new one", async () => {
    const s = sink();
    await s.deliver(delivery(note("one")));
    ps.revokeTokens();
    const err = await failure(s.deliver(delivery(note("two"))));
    expect([err.transient, err.code]).toEqual([true, "http_401"]);
    await s.deliver(delivery(note("two")));
    expect(ps.published.map((m) => m.data)).toEqual(["one", "two"]);
    expect(ps.grants).toHaveLength(2);
  });

  it("no credential in an error even when Pub/Sub or the token endpoint echoes the token, the JWT or the key", async () => {
    const s = sink();
    await s.deliver(delivery(note("warm")));
    ps.fail({ status: 400, echo: true });
    const err = await failure(s.deliver(delivery(note("x"))));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/\[redacted\]/);
    expectNoCredential(errorText(err));
    ps.failToken({ status: 400, echo: true });
    const tokenErr = await failure(sink().deliver(delivery(note("x"))));
    expect(tokenErr.transient).toBe(false);
    expectNoCredential(errorText(tokenErr));
  });

  it("lists the key material among the service's secrets", () => {
    const secrets = gcppubsubService.secrets(service());
    expect(secrets).toContain(account.keyJSON);
    expect(secrets).toContain(account.privateKey);
    expect(secrets).toContain(account.privateKeyId);
  });

  describe("a namespace's own service", () => {
    const tenant = (over: Partial<GcpPubsubServiceConfig> = {}) =>
      service({ tenantNamespace: "team-a", ...over });
    const asTenant = (svc: GcpPubsubServiceConfig) =>
      delivery(note("x"), "", { service: svc, tenantNamespace: "team-a" });

    it("is refused a private Pub/Sub endpoint or token_uri (SSRF guard), permanently, before anything is sent", async () => {
      const err = await failure(sink({ allowPrivateNetworks: false }).deliver(asTenant(tenant())));
      expect([err.transient, err.code]).toEqual([false, "blocked_address"]);
      expect(ps.tokenRequests).toHaveLength(0);
      // a public token_uri but a private endpoint: the token is fetched elsewhere, the publish refused
      const publicKey = makeServiceAccount(EMAIL, "http://127.0.0.1:9/token");
      const viaPrivateTokenUri = await failure(
        sink({ allowPrivateNetworks: false }).deliver(
          asTenant(tenant({ keyJSON: publicKey.keyJSON, endpoint: "https://pubsub.googleapis.com" })),
        ),
      );
      expect([viaPrivateTokenUri.transient, viaPrivateTokenUri.code]).toEqual([false, "blocked_address"]);
      expect(ps.received).toHaveLength(0);
      // the same service, central, reaches the stand-ins
      await sink({ allowPrivateNetworks: false }).deliver(delivery(note("central")));
      expect(ps.published.map((m) => m.data)).toEqual(["central"]);
    });

    it("must bring its own key: keyFile and Application Default Credentials are the central services' only", async () => {
      const dir = mkdtempSync(join(tmpdir(), "gcp-key-"));
      const file = join(dir, "key.json");
      writeFileSync(file, account.keyJSON);
      const viaFile = await failure(sink().deliver(asTenant(tenant({ keyJSON: undefined, keyFile: file }))));
      expect([viaFile.transient, viaFile.code]).toEqual([false, "invalid_config"]);
      const viaAdc = await failure(sink().deliver(asTenant(tenant({ keyJSON: undefined }))));
      expect([viaAdc.transient, viaAdc.code]).toEqual([false, "invalid_config"]);
      expect(ps.tokenRequests).toHaveLength(0);
    });
  });

  it("upstream's keyFile: the key is read from the file (central service)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gcp-key-"));
    const file = join(dir, "key.json");
    writeFileSync(file, account.keyJSON);
    await sink().deliver(
      delivery(note("from file"), "", { service: service({ keyJSON: undefined, keyFile: file }) }),
    );
    expect(ps.published.map((m) => m.data)).toEqual(["from file"]);
    const missing = await failure(
      sink().deliver(
        delivery(note("x"), "", {
          service: service({ keyJSON: undefined, keyFile: join(dir, "nope.json") }),
        }),
      ),
    );
    expect([missing.transient, missing.code]).toEqual([false, "invalid_config"]);
    expect(missing.message).toMatch(/cannot be read \(ENOENT\)/);
  });

  it("without a key: Application Default Credentials (an injected source; a failure to get a token)", async () => {
    ps.addServiceAccount("adc@shop-prod-1.iam.gserviceaccount.com", [PROJECT]);
    ps.setMetadataAccount("adc@shop-prod-1.iam.gserviceaccount.com");
    // the metadata server's token, fetched as google-auth-library does on GKE
    const adc = async () => ({
      async getAccessToken() {
        const res = await fetch(
          `http://${ps.metadataHost}/computeMetadata/v1/instance/service-accounts/default/token`,
          {
            headers: { "Metadata-Flavor": "Google" },
          },
        );
        return ((await res.json()) as { access_token: string }).access_token;
      },
    });
    const s = new GcpPubsubSink({ dispatchers, logger, adc });
    await s.deliver(delivery(note("via adc"), "", { service: service({ keyJSON: undefined }) }));
    expect(ps.published.map((m) => [m.data, m.account])).toEqual([
      ["via adc", "adc@shop-prod-1.iam.gserviceaccount.com"],
    ]);
    const broken = new GcpPubsubSink({
      dispatchers,
      logger,
      adc: async () => ({
        getAccessToken: () => Promise.reject(new Error("Could not load the default credentials.")),
      }),
    });
    const err = await failure(
      broken.deliver(delivery(note("x"), "", { service: service({ keyJSON: undefined }) })),
    );
    expect([err.transient, err.code]).toEqual([false, "invalid_credentials"]);
  });

  it("signs the assertion with the key (kid, RS256) and caches tokens until a minute before expiry", async () => {
    const key = parseServiceAccountKey(account.keyJSON);
    if ("problem" in key) throw new Error(key.problem);
    const jwt = serviceAccountJwt(key, Date.parse("2026-03-01T00:00:00Z"));
    const header = JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: account.privateKeyId });
    let now = 0;
    let fetched = 0;
    const tokens = new AccessTokens(() => now);
    const fetch = async () => ({ token: `t${++fetched}`, expiresAtMs: 3_600_000 });
    expect(await tokens.get("k", fetch)).toBe("t1");
    now = 3_539_000;
    expect(await tokens.get("k", fetch)).toBe("t1");
    now = 3_541_000;
    expect(await tokens.get("k", fetch)).toBe("t2");
  });

  it("keeps the tokens of the most recently fetched credentials only (keys rotated away are forgotten)", async () => {
    const tokens = new AccessTokens(() => 0);
    let fetched = 0;
    const fetch = async () => ({ token: `t${++fetched}`, expiresAtMs: 3_600_000 });
    // a key per version of the Secret: each rotation is a new credential
    for (let v = 0; v < MAX_CACHED_TOKENS + 100; v++) await tokens.get(`key-v${v}`, fetch);
    expect(tokens.size).toBe(MAX_CACHED_TOKENS);
    expect(await tokens.get(`key-v${MAX_CACHED_TOKENS + 99}`, fetch)).toBe(`t${MAX_CACHED_TOKENS + 100}`);
    expect(await tokens.get("key-v0", fetch)).toBe(`t${MAX_CACHED_TOKENS + 101}`);
    expect(tokens.size).toBe(MAX_CACHED_TOKENS);
  });
});
