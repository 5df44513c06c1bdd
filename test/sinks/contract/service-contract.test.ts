// The contract every registered service type keeps (src/sinks/registry.ts), against its stand-in server
// (fixtures/<type>.ts): secrets never leak (logs, errors, metrics hooks, dead letters, dry-run — even when the
// remote echoes them), recipients are validated and normalised, 5xx and timeouts are retried, 429 honours
// Retry-After, a permanent 4xx is dead-lettered with its reason, the dry-run payload is what the sink sends,
// order per (rollout, destination) holds through the queue, the SSRF guard applies to namespace-defined services,
// and retries carry the same idempotency key.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceConfig } from "../../../src/config/types.ts";
import { createLogger, type Logger } from "../../../src/logger.ts";
import { classifyDeliveryFailure } from "../../../src/queue/delivery-failure.ts";
import { InMemoryNotificationQueue } from "../../../src/queue/in-memory-queue.ts";
import { buildNotificationJob } from "../../../src/queue/notification-job.ts";
import { redactSecrets } from "../../../src/replay/wire-payload.ts";
import { createServiceSink } from "../../../src/sinks/create-sinks.ts";
import { HttpDispatchers } from "../../../src/sinks/http/http-dispatchers.ts";
import { SERVICE_TYPES } from "../../../src/sinks/registry.ts";
import type { AnyServiceTypeDefinition } from "../../../src/sinks/service-type.ts";
import type { Delivery, Sink } from "../../../src/sinks/sink.ts";
import { compileTemplateSpec } from "../../../src/templates/compile.ts";
import { buildTemplateContext } from "../../../src/templates/context.ts";
import type { Notification } from "../../../src/templates/notification.ts";
import { renderNotification } from "../../../src/templates/render.ts";
import type { Transition } from "../../../src/triggers/transition.ts";
import { deliveryFailure } from "../delivery-failure.ts";
import type { ContractFixture, StartContractFixture } from "./contract-fixture.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ROLLOUT = { kind: "Rollout", namespace: "shop", name: "checkout", uid: "uid-checkout" };
// A template every type renders (the message; types without a message field fill in from the built-in template,
// which shows the Rollout's status message): each notification carries its marker.
const TEMPLATE = compileTemplateSpec({
  name: "contract",
  message: "Rollout shop/checkout: {{statusMessage}}",
});

function transition(marker: string, trigger = "on-rollout-aborted"): Transition {
  return {
    id: `uid-checkout:${trigger}:2:${marker}`,
    trigger,
    object: ROLLOUT,
    rollout: ROLLOUT,
    revision: "2",
    snapshot: rolloutObject(marker),
  };
}

function rolloutObject(marker: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: "checkout",
      namespace: "shop",
      uid: "uid-checkout",
      annotations: { ...annotations, "rollout.argoproj.io/revision": "2" },
    },
    spec: {
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      template: { spec: { containers: [{ name: "app", image: "shop/checkout:2" }] } },
    },
    status: { phase: "Degraded", message: `contract ${marker}` },
  };
}

function render(
  service: ServiceConfig,
  recipient: string,
  marker: string,
  annotations?: Record<string, string>,
): Notification {
  const t = transition(marker);
  const ctx = buildTemplateContext({
    transition: t,
    rollout: rolloutObject(marker, annotations),
    recipient,
    serviceType: service.type,
    now: new Date(NOW),
  });
  return renderNotification([TEMPLATE], ctx, service);
}

function captureLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), text: () => lines.join("") };
}

async function fixtureFor(type: string): Promise<StartContractFixture | undefined> {
  try {
    return ((await import(`./fixtures/${type}.ts`)) as { default: StartContractFixture }).default;
  } catch {
    return undefined;
  }
}

const markersIn = (bodies: string[], marker: string) => bodies.filter((b) => b.includes(marker)).length;

describe.each(SERVICE_TYPES.map((d) => [d.type, d] as const))(
  "service type %s",
  (type, def: AnyServiceTypeDefinition) => {
    let fx: ContractFixture;
    let dispatchers: HttpDispatchers;
    const logs = captureLogger();
    let n = 0;

    const sink = (opts: { allowPrivateNetworks?: boolean } = {}): Sink =>
      createServiceSink(def, {
        dispatchers,
        logger: logs.logger,
        timeoutMs: fx.timeoutMs,
        allowPrivateNetworks: opts.allowPrivateNetworks ?? true,
        now: () => NOW,
      });

    const delivery = (marker: string, over: Partial<Delivery> = {}): Delivery => {
      const service = over.service ?? fx.service;
      const destination = { service: service.name, recipient: fx.recipient };
      return {
        jobId: `job-${marker}`,
        destination,
        service,
        notification: render(service, fx.recipient, marker, fx.rolloutAnnotations),
        about: { object: ROLLOUT, trigger: "on-rollout-aborted" },
        ...over,
      };
    };

    beforeAll(async () => {
      const start = await fixtureFor(type);
      if (!start)
        throw new Error(
          `no contract fixture for service type "${type}" (test/sinks/contract/fixtures/${type}.ts)`,
        );
      fx = await start();
      dispatchers = new HttpDispatchers();
    });
    afterAll(async () => {
      await fx?.close();
      await dispatchers?.close();
      expect(logs.text()).not.toContain(fx.secret);
    });

    it("names its docs and lists the secret among its secrets", () => {
      expect(def.docs).toBe(`docs/services/${type}.md`);
      expect(redactSecrets(JSON.stringify(fx.service), def.secrets(fx.service))).not.toContain(fx.secret);
    });

    it("validates and normalises recipients", () => {
      expect(def.recipients.problem(fx.service, fx.recipient)).toBeUndefined();
      for (const bad of fx.badRecipients)
        expect(def.recipients.problem(fx.service, bad), JSON.stringify(bad)).toBeDefined();
      for (const alias of fx.recipientAliases) {
        expect(def.recipients.problem(fx.service, alias)).toBeUndefined();
        expect(def.recipients.normalize?.(alias)).toBe(
          def.recipients.normalize?.(fx.recipient) ?? fx.recipient,
        );
      }
    });

    it("sends what the dry run shows, and the dry run holds no secret", async () => {
      const marker = `m${++n}`;
      const d = delivery(marker);
      const before = fx.sentAsWire().length;
      await sink().deliver(d);
      const sent = fx.sentAsWire().slice(before);
      expect(sent).toHaveLength(1);
      const wire = def.wirePayload({ ...d, now: new Date(NOW) });
      const shown = redactSecrets(JSON.stringify(wire), def.secrets(fx.service));
      expect(shown).not.toContain(fx.secret);
      expect(JSON.parse(shown)).toMatchObject(sent[0] as object);
      expect(markersIn(fx.acceptedBodies(), marker)).toBe(1);
    });

    it("retries 5xx (transient), then delivers once", async () => {
      const marker = `m${++n}`;
      fx.fail({ status: 503 });
      const err = await deliveryFailure(sink().deliver(delivery(marker)));
      expect(err.transient).toBe(true);
      await sink().deliver(delivery(marker));
      expect(markersIn(fx.acceptedBodies(), marker)).toBe(1);
    });

    it("429 honours Retry-After", async () => {
      fx.fail({ status: 429, retryAfterSec: 7 });
      const err = await deliveryFailure(sink().deliver(delivery(`m${++n}`)));
      expect(err.transient).toBe(true);
      if (fx.retryAfter !== false) expect(err.retryAfterMs).toBe(7000);
    });

    it("a timeout is transient, and the retry carries the same idempotency key", async () => {
      const marker = `m${++n}`;
      const before = fx.idempotencyKeys?.().length ?? 0;
      fx.fail({ delayMs: fx.timeoutMs * 2 });
      const err = await deliveryFailure(sink().deliver(delivery(marker)));
      expect(err.transient).toBe(true);
      await new Promise((r) => setTimeout(r, fx.timeoutMs * 3));
      await sink().deliver(delivery(marker));
      if (fx.idempotencyKeys) {
        const keys = fx.idempotencyKeys().slice(before);
        expect(keys.length).toBeGreaterThanOrEqual(2);
        expect(new Set(keys).size).toBe(1);
        expect(keys[0]).not.toBe("undefined");
      }
    });

    it("dead-letters a permanent 4xx with its reason; no secret in errors, logs, metrics hooks or dead letters", async () => {
      const marker = `m${++n}`;
      fx.fail({ status: 400, echo: true });
      const events: unknown[] = [];
      const queue = new InMemoryNotificationQueue({
        sinks: (t) => (t === type ? sink() : undefined),
        resolveService: () => fx.service,
        logger: logs.logger,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
        rateLimitFor: () => undefined,
        hooks: {
          onFailed: (e) => events.push(e),
          onRetried: (e) => events.push(e),
          onDeadLettered: (e) => events.push(e),
        },
      });
      try {
        const t = transition(marker);
        const job = buildNotificationJob({
          transition: t,
          destination: { service: fx.service.name, recipient: fx.recipient },
          notification: render(fx.service, fx.recipient, marker, fx.rolloutAnnotations),
          detectedAt: NOW,
        });
        await queue.enqueue([job]);
        const report = await queue.waitUntilSettled([job.jobId], { timeoutMs: 10_000 });
        expect(report.deadLettered).toEqual([job.jobId]);
        const [dead] = await queue.listDeadLetters();
        expect(dead!.attempts).toBe(1);
        expect(dead!.reason.transient).toBe(false);
        expect(dead!.reason.message).toMatch(fx.permanentReason ?? /\b(400|550)\b/);
        expect(JSON.stringify(await queue.listDeadLetters())).not.toContain(fx.secret);
        expect(JSON.stringify(events)).not.toContain(fx.secret);
        expect(events.length).toBeGreaterThan(0);
      } finally {
        await queue.close();
      }
      // the sink's own error, and its classification, directly
      fx.fail({ status: 400, echo: true });
      const err = await deliveryFailure(sink().deliver(delivery(marker)));
      expect(err.transient).toBe(false);
      expect(`${err.message} ${String(err.cause ?? "")}`).not.toContain(fx.secret);
      expect(JSON.stringify(classifyDeliveryFailure(err, fx.service))).not.toContain(fx.secret);
      expect(logs.text()).not.toContain(fx.secret);
    });

    it("keeps order per (rollout, destination) through the queue, each exactly once, through 500/429", async () => {
      const markers = Array.from({ length: 5 }, () => `m${++n}`);
      const queue = new InMemoryNotificationQueue({
        sinks: (t) => (t === type ? sink() : undefined),
        resolveService: () => fx.service,
        logger: logs.logger,
        retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 20 },
        rateLimitFor: () => undefined,
      });
      try {
        const jobs = markers.map((m, i) =>
          buildNotificationJob({
            transition: transition(m),
            destination: { service: fx.service.name, recipient: fx.recipient },
            notification: render(fx.service, fx.recipient, m, fx.rolloutAnnotations),
            detectedAt: NOW + i,
          }),
        );
        fx.fail({ status: 500 });
        await queue.enqueue(jobs.slice(0, 3));
        fx.fail({ status: 429, retryAfterSec: 0 });
        await queue.enqueue(jobs.slice(3));
        const report = await queue.waitUntilSettled(
          jobs.map((j) => j.jobId),
          { timeoutMs: 20_000 },
        );
        expect(report.delivered).toHaveLength(5);
      } finally {
        await queue.close();
      }
      const bodies = fx.acceptedBodies();
      const positions = markers.map((m) =>
        bodies.findIndex((b) => b.includes(`contract ${m}`) || b.includes(`${m}"`)),
      );
      for (const m of markers) expect(markersIn(bodies, `contract ${m}`), m).toBe(1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });

    it("refuses private addresses for a namespace-defined service (SSRF guard) unless allowed", async () => {
      const tenant = { ...fx.service, tenantNamespace: "team-a" } as ServiceConfig;
      const marker = `m${++n}`;
      const before = fx.receivedBodies().length;
      const err = await deliveryFailure(
        sink({ allowPrivateNetworks: false }).deliver(
          delivery(marker, { service: tenant, tenantNamespace: "team-a" }),
        ),
      );
      expect(err.transient).toBe(false);
      expect(err.code).toBe("blocked_address");
      expect(fx.receivedBodies().length).toBe(before);
      await sink({ allowPrivateNetworks: true }).deliver(
        delivery(marker, { service: tenant, tenantNamespace: "team-a" }),
      );
      expect(markersIn(fx.acceptedBodies(), `contract ${marker}`)).toBe(1);
    });
  },
);
