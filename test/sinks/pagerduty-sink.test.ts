import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { PagerDutySink } from "../../src/sinks/pagerduty/pagerduty-sink.ts";
import type { PagerDutyEvent, PagerDutyServiceConfig } from "../../src/sinks/pagerduty/pagerduty-types.ts";
import { type Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { FakePagerDuty } from "../support/fake-pagerduty.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const logger = createLogger({ level: "silent" });

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe("pagerduty sink", () => {
  let pd: FakePagerDuty;
  const dispatchers = new HttpDispatchers();
  const sink = new PagerDutySink({ dispatchers, logger, timeoutMs: 500 });
  let service: PagerDutyServiceConfig;

  beforeAll(async () => {
    pd = await FakePagerDuty.start();
    service = {
      type: "pagerdutyv2",
      name: "pagerdutyv2",
      serviceKeys: { "my-service": KEY },
      apiURL: pd.apiURL,
    };
  });
  afterAll(async () => {
    await pd.close();
    await dispatchers.close();
  });
  beforeEach(() => {
    pd.received.length = 0;
  });

  const delivery = (
    event: Partial<PagerDutyEvent>,
    over: Partial<Delivery<PagerDutyServiceConfig>> = {},
  ): Delivery<PagerDutyServiceConfig> => ({
    jobId: "tr-9/pagerdutyv2/my-service",
    destination: { service: "pagerdutyv2", recipient: "my-service" },
    service,
    notification: {
      message: "m",
      pagerduty: {
        eventAction: "trigger",
        dedupKey: "rollout/default/guestbook/aborted",
        summary: "Rollout default/guestbook aborted",
        severity: "critical",
        source: "argo-rollouts/default/guestbook",
        ...event,
      },
    },
    ...over,
  });

  it("triggers then resolves an incident by dedup key", async () => {
    const r1 = await sink.deliver(
      delivery({
        component: "guestbook",
        group: "default",
        class: "rollout",
        customDetails: { revision: "3" },
      }),
    );
    expect(r1).toEqual({ ref: "rollout/default/guestbook/aborted" });
    const alert = pd.alert(KEY, "rollout/default/guestbook/aborted")!;
    expect(alert).toMatchObject({
      status: "triggered",
      severity: "critical",
      summary: "Rollout default/guestbook aborted",
    });
    expect(alert.events[0]!.payload).toMatchObject({
      source: "argo-rollouts/default/guestbook",
      component: "guestbook",
      group: "default",
      class: "rollout",
      custom_details: { revision: "3" },
    });
    await sink.deliver(delivery({ eventAction: "acknowledge" }));
    expect(pd.alert(KEY, "rollout/default/guestbook/aborted")!.status).toBe("acknowledged");
    await sink.deliver(delivery({ eventAction: "resolve" }));
    expect(pd.alert(KEY, "rollout/default/guestbook/aborted")!.status).toBe("resolved");
    // acknowledge/resolve carry no payload
    expect(pd.received.at(-1)).toEqual({
      routing_key: KEY,
      event_action: "resolve",
      dedup_key: "rollout/default/guestbook/aborted",
    });
  });

  it("a retried trigger lands on the same alert", async () => {
    await sink.deliver(delivery({ dedupKey: "retry-key" }));
    await sink.deliver(delivery({ dedupKey: "retry-key" }));
    expect(pd.alerts.filter((a) => a.dedupKey === "retry-key")).toHaveLength(1);
  });

  it("uses the job id as dedup key when the template has none; shortens over-long keys and summaries", async () => {
    await sink.deliver(delivery({ dedupKey: "" }));
    expect(pd.alert(KEY, "tr-9/pagerdutyv2/my-service")).toBeDefined();
    const long = "k".repeat(300);
    const r = await sink.deliver(delivery({ dedupKey: long, summary: "s".repeat(2000) }));
    expect(r.ref!.length).toBe(255);
    const again = await sink.deliver(delivery({ dedupKey: long, eventAction: "resolve" }));
    expect(again.ref).toBe(r.ref);
    expect(pd.alert(KEY, r.ref!)!.status).toBe("resolved");
    expect(pd.alert(KEY, r.ref!)!.summary.length).toBe(1024);
  });

  it("unknown recipient is permanent and names the recipient, never a key", async () => {
    const e = await deliveryError(
      sink.deliver(delivery({}, { destination: { service: "pagerdutyv2", recipient: "other-service" } })),
    );
    expect(e).toMatchObject({ transient: false, code: "unknown_recipient" });
    expect(e.message).toContain('"other-service"');
    expect(e.message).toContain('"my-service"');
    expect(e.message).not.toContain(KEY);
    expect(pd.received).toHaveLength(0);
  });

  it("checks the event locally: nothing is sent for a bad event or a wrong-length routing key", async () => {
    const d = delivery({ customDetails: ["x"] as unknown as Record<string, unknown> });
    expect(await deliveryError(sink.deliver(d))).toMatchObject({ transient: false, code: "invalid_event" });
    const wrongLength = { ...service, serviceKeys: { "my-service": "short-key" } };
    const e = await deliveryError(sink.deliver(delivery({}, { service: wrongLength })));
    expect(e).toMatchObject({ transient: false, code: "invalid_event" });
    expect(e.message).not.toContain("short-key");
    expect(pd.received).toHaveLength(0);
  });

  it("a 400 answer is permanent and carries PagerDuty's errors", async () => {
    pd.fail({ status: 400, errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] });
    const e = await deliveryError(sink.deliver(delivery({})));
    expect(e).toMatchObject({ transient: false, code: "http_400" });
    expect(e.message).toContain("Event object is invalid: Length of 'routing_key' is incorrect");
  });

  it("the fake rejects what PagerDuty documents as invalid", async () => {
    const post = (body: unknown) =>
      fetch(`${pd.apiURL}/v2/enqueue`, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { errors?: string[] },
      }));
    const r1 = await post({
      routing_key: "short",
      event_action: "trigger",
      payload: { summary: "s", source: "x", severity: "info" },
    });
    expect(r1.status).toBe(400);
    expect(r1.body.errors).toContain("Length of 'routing_key' is incorrect (should be 32 characters)");
    const r2 = await post({ routing_key: KEY, event_action: "resolve" });
    expect(r2.body.errors).toContain("'dedup_key' is required for acknowledge and resolve events");
    const r3 = await post({
      routing_key: KEY,
      event_action: "trigger",
      payload: { summary: "x".repeat(1025), source: "s", severity: "bad" },
    });
    expect(r3.body.errors).toHaveLength(2);
    const ok = await post({
      routing_key: KEY,
      event_action: "trigger",
      payload: { summary: "s", source: "x", severity: "info" },
    });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ status: "success", dedup_key: expect.any(String) });
  });

  it("429, 5xx, resets and timeouts are transient; Retry-After is honoured", async () => {
    pd.fail({ status: 429, retryAfterSec: 30 });
    expect(await deliveryError(sink.deliver(delivery({})))).toMatchObject({
      transient: true,
      retryAfterMs: 30_000,
    });
    pd.fail({ status: 502 });
    expect(await deliveryError(sink.deliver(delivery({})))).toMatchObject({
      transient: true,
      code: "http_502",
    });
    pd.fail({ reset: true });
    expect((await deliveryError(sink.deliver(delivery({})))).transient).toBe(true);
    pd.fail({ delayMs: 1500 });
    expect(await deliveryError(sink.deliver(delivery({})))).toMatchObject({
      transient: true,
      code: "timeout",
    });
    await pd.down(60_000);
    try {
      expect(await deliveryError(sink.deliver(delivery({})))).toMatchObject({
        transient: true,
        code: "network_error",
      });
    } finally {
      await pd.up();
    }
    await expect(sink.deliver(delivery({}))).resolves.toBeDefined();
  });

  it("a PagerDuty service from a namespace's self-service config may not point apiURL at a private address", async () => {
    const e = await deliveryError(sink.deliver(delivery({}, { tenantNamespace: "team-a" })));
    expect(e).toMatchObject({ transient: false, code: "blocked_address" });
    expect(pd.received).toHaveLength(0);
  });

  it("invalid severity or action is a permanent error naming the value", async () => {
    const e = await deliveryError(sink.deliver(delivery({ severity: "sev1" as never })));
    expect(e.message).toContain('"sev1"');
    const e2 = await deliveryError(sink.deliver(delivery({ eventAction: "close" as never })));
    expect(e2.message).toContain('"close"');
  });
});
