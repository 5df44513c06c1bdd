// PagerDuty incident groups: "analysis failure or abort triggers an incident keyed by the Rollout and revision;
// when the Rollout later completes a revision, or the aborted revision is rolled back to stable (a new revision
// that completes), that incident is resolved" — with the fake PagerDuty, Redis and the in-memory fallback.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/objects.ts";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import {
  InMemoryPagerDutyIncidents,
  type PagerDutyIncidentStore,
  RedisPagerDutyIncidents,
} from "../../src/sinks/pagerduty/pagerduty-incidents.ts";
import { PagerDutySink } from "../../src/sinks/pagerduty/pagerduty-sink.ts";
import type { PagerDutyEvent, PagerDutyServiceConfig } from "../../src/sinks/pagerduty/pagerduty-types.ts";
import { type Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { builtinCompiledTemplate, builtinTemplateNameForTrigger } from "../../src/templates/builtin/index.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { FakePagerDuty } from "../support/fake-pagerduty.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { loadFixture, transitionFor } from "../templates/fixtures.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210";
const GROUP = "default/guestbook";
const logger = createLogger({ level: "silent" });

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe("pagerduty sink: incident groups", () => {
  let pd: FakePagerDuty;
  let redis: RedisHarness;
  let shared: Redis;
  let prefix = "";
  let service: PagerDutyServiceConfig;
  const dispatchers = new HttpDispatchers();

  const redisIncidents = (client: Redis = shared) =>
    new RedisPagerDutyIncidents(client, { keyPrefix: prefix });
  const newSink = (incidents: PagerDutyIncidentStore = redisIncidents()) =>
    new PagerDutySink({ dispatchers, logger, timeoutMs: 500, incidents });

  /** Events shaped like the built-in template's: alert key per revision, info keys per trigger, one group. */
  const event = (
    revision: number,
    action: "trigger" | "resolve",
    over: Partial<PagerDutyEvent> = {},
  ): PagerDutyEvent => ({
    eventAction: action,
    dedupKey: `${GROUP}/${revision}`,
    summary: `[${GROUP}] revision ${revision}`,
    severity: "error",
    source: GROUP,
    incidentGroup: GROUP,
    ...over,
  });
  const delivery = (
    ev: PagerDutyEvent,
    jobId = `tr-${ev.dedupKey}-${ev.eventAction}`,
    recipient = "ops",
  ): Delivery<PagerDutyServiceConfig> => ({
    jobId,
    destination: { service: "pagerdutyv2", recipient },
    service,
    notification: { message: ev.summary, pagerduty: ev },
  });
  const status = (dedupKey: string, routingKey = KEY) => pd.alert(routingKey, dedupKey)?.status;

  beforeAll(async () => {
    [pd, redis] = await Promise.all([FakePagerDuty.start(), startRedis()]);
    shared = redis.client();
    service = {
      type: "pagerdutyv2",
      name: "pagerdutyv2",
      serviceKeys: { ops: KEY, other: OTHER_KEY },
      apiURL: pd.apiURL,
    };
  });
  afterAll(async () => {
    await pd.close();
    await dispatchers.close();
    await redis.stop();
  });
  beforeEach((ctx) => {
    // Each test its own key space and its own alerts.
    prefix = `t:${ctx.task.id}:`;
    pd.alerts.length = 0;
    pd.received.length = 0;
    pd.accepted.length = 0;
  });

  it("rev 2 aborted → rev 3 completes: rev 2's incident is resolved (across a restart, same Redis)", async () => {
    await newSink().deliver(delivery(event(2, "trigger")));
    expect(status(`${GROUP}/2`)).toBe("triggered");
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([`${GROUP}/2`]);

    const restarted = newSink(redisIncidents(redis.client()));
    const r = await restarted.deliver(delivery(event(3, "resolve")));
    expect(r).toEqual({ ref: `${GROUP}/3` });
    expect(status(`${GROUP}/2`)).toBe("resolved");
    expect(pd.alert(KEY, `${GROUP}/2`)!.events.map((e) => e.event_action)).toEqual(["trigger", "resolve"]);
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([]);
    // resolves carry no payload and never another group's or routing key's alerts
    expect(pd.received.at(-1)).toEqual({
      routing_key: KEY,
      event_action: "resolve",
      dedup_key: `${GROUP}/2`,
    });
  });

  it("two open revisions (and an informational alert) are all resolved by a later completion", async () => {
    const sink = newSink();
    await sink.deliver(delivery(event(2, "trigger")));
    await sink.deliver(delivery(event(3, "trigger", { severity: "warning" })));
    const info = event(3, "trigger", { dedupKey: `${GROUP}/3/on-rollout-updated`, severity: "info" });
    await sink.deliver(delivery(info));
    // another Rollout's alert, and the same group under another routing key, stay open
    await sink.deliver(
      delivery(event(7, "trigger", { dedupKey: "default/other/7", incidentGroup: "default/other" })),
    );
    await sink.deliver(delivery(event(2, "trigger"), "tr-other", "other"));

    await sink.deliver(delivery(event(4, "resolve")));
    expect([`${GROUP}/2`, `${GROUP}/3`, `${GROUP}/3/on-rollout-updated`].map((k) => status(k))).toEqual([
      "resolved",
      "resolved",
      "resolved",
    ]);
    expect(status("default/other/7")).toBe("triggered");
    expect(status(`${GROUP}/2`, OTHER_KEY)).toBe("triggered");
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([]);
    expect(await redisIncidents().listOpen(OTHER_KEY, GROUP)).toEqual([`${GROUP}/2`]);
  });

  it("the completion of the aborted revision itself resolves it (its own key) and clears the group", async () => {
    const sink = newSink();
    await sink.deliver(delivery(event(2, "trigger")));
    await sink.deliver(delivery(event(2, "resolve")));
    expect(status(`${GROUP}/2`)).toBe("resolved");
    expect(pd.accepted.filter((e) => e.event_action === "resolve")).toHaveLength(1);
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([]);
  });

  it("a retried resolve job does not fail and resolves nothing twice at PagerDuty", async () => {
    const sink = newSink();
    await sink.deliver(delivery(event(2, "trigger")));
    const resolve = delivery(event(3, "resolve"));
    await sink.deliver(resolve);
    await expect(newSink().deliver(resolve)).resolves.toEqual({ ref: `${GROUP}/3` });
    expect(status(`${GROUP}/2`)).toBe("resolved");
    // the retry only re-sent its own (idempotent) resolve
    expect(pd.received.filter((e) => (e as { dedup_key: string }).dedup_key === `${GROUP}/2`)).toHaveLength(
      2,
    );
  });

  it("a resolve interrupted midway keeps the unresolved keys recorded; the retry resolves them", async () => {
    const sink = newSink();
    for (const rev of [2, 3, 4]) await sink.deliver(delivery(event(rev, "trigger")));
    const resolve = delivery(event(5, "resolve"));
    // own resolve and the first group member go through, then PagerDuty answers 503
    pd.fail({ status: 503 }, 1, { after: 2 });
    expect(await deliveryError(sink.deliver(resolve))).toMatchObject({ transient: true, code: "http_503" });
    const open = await redisIncidents().listOpen(KEY, GROUP);
    expect(open.sort()).toEqual([`${GROUP}/3`, `${GROUP}/4`]);
    expect(status(`${GROUP}/2`)).toBe("resolved");
    expect(status(`${GROUP}/3`)).toBe("triggered");

    await newSink().deliver(resolve);
    expect([2, 3, 4].map((rev) => status(`${GROUP}/${rev}`))).toEqual(["resolved", "resolved", "resolved"]);
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([]);
  });

  it("a trigger is recorded before it is sent: one PagerDuty may have taken without answering is still resolved", async () => {
    const sink = newSink();
    pd.fail({ delayMs: 1_500 }); // taken late: the sink times out
    expect(await deliveryError(sink.deliver(delivery(event(2, "trigger"))))).toMatchObject({
      code: "timeout",
    });
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([`${GROUP}/2`]);
    await sink.deliver(delivery(event(3, "resolve")));
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([]);
  });

  it("a resolve without incidentGroup only resolves its own key (upstream)", async () => {
    const sink = newSink();
    await sink.deliver(delivery(event(2, "trigger")));
    const { incidentGroup: _, ...plain } = event(3, "resolve");
    await sink.deliver(delivery(plain));
    expect(status(`${GROUP}/2`)).toBe("triggered");
    expect(await redisIncidents().listOpen(KEY, GROUP)).toEqual([`${GROUP}/2`]);
  });

  it("Redis unavailable: a transient error naming no routing key", async () => {
    const broken = new RedisPagerDutyIncidents(shared, { keyPrefix: prefix });
    broken.addOpen = async () => {
      throw new Error("Connection is closed.");
    };
    const e = await deliveryError(newSink(broken).deliver(delivery(event(2, "trigger"))));
    expect(e).toMatchObject({ transient: true, code: "state_unavailable" });
    expect(e.message).not.toContain(KEY);
    expect(pd.received).toHaveLength(0);
  });

  it("the routing key never appears in Redis keys", async () => {
    await newSink().deliver(delivery(event(2, "trigger")));
    const keys = await shared.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(KEY);
  });

  it("no Redis: the in-memory store works the same way", async () => {
    const sink = newSink(new InMemoryPagerDutyIncidents());
    await sink.deliver(delivery(event(2, "trigger")));
    await sink.deliver(delivery(event(3, "trigger")));
    await sink.deliver(delivery(event(4, "resolve")));
    expect([2, 3].map((rev) => status(`${GROUP}/${rev}`))).toEqual(["resolved", "resolved"]);
    // a sink built without a store uses one too
    const bare = new PagerDutySink({ dispatchers, logger, timeoutMs: 500 });
    await bare.deliver(delivery(event(5, "trigger")));
    await bare.deliver(delivery(event(6, "resolve")));
    expect(status(`${GROUP}/5`)).toBe("resolved");
  });

  it("built-in templates end to end: analysis failed on revision 2, revision 3 completes → resolved", async () => {
    const base = loadFixture("rollout-aborted/rollout.yaml");
    const run = loadFixture("rollout-aborted/analysisrun.yaml");
    const at = (revision: string): KubeObject => ({
      ...base,
      metadata: {
        ...base.metadata,
        annotations: { ...base.metadata.annotations, "rollout.argoproj.io/revision": revision },
      },
    });
    const render = (trigger: string, rollout: KubeObject) => {
      const isRun = trigger.startsWith("on-analysis-run");
      const ctx = buildTemplateContext({
        transition: isRun ? transitionFor(trigger, run, rollout) : transitionFor(trigger, rollout),
        rollout,
        analysisRuns: [run],
        recipient: "ops",
        serviceType: "pagerdutyv2",
        now: "2024-01-01T00:00:00Z",
      });
      const template = builtinCompiledTemplate(builtinTemplateNameForTrigger(trigger)!)!;
      return renderNotification([template], ctx, service).pagerduty!;
    };
    const sink = newSink();
    const failed = render("on-analysis-run-failed", at("2"));
    await sink.deliver(delivery(failed));
    const ns = base.metadata.namespace;
    const name = base.metadata.name;
    expect(status(`${ns}/${name}/2`)).toBe("triggered");
    await sink.deliver(delivery(render("on-rollout-completed", at("3"))));
    expect(status(`${ns}/${name}/2`)).toBe("resolved");
  });
});
