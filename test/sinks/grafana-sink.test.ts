// Grafana region annotations (src/sinks/grafana/grafana-sink.ts) against the stand-in API and a real Redis: one
// annotation per region from its first notification to the one that ends it, kept across sink restarts; created
// exactly once through a POST whose answer was lost, a 5xx and a rejection; re-created when deleted in Grafana;
// failures classified without the key.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { RedisRevisionStore } from "../../src/sinks/common/revision-store.ts";
import {
  type GrafanaRegionRecord,
  GrafanaSink,
  parseGrafanaRegionRecord,
} from "../../src/sinks/grafana/grafana-sink.ts";
import type { GrafanaAnnotationPart, GrafanaServiceConfig } from "../../src/sinks/grafana/grafana-types.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import type { Delivery } from "../../src/sinks/sink.ts";
import { FakeGrafana } from "../support/fake-grafana.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const KEY = "glsa_sinkTestServiceAccountToken_0123456789abcdef";
const T0 = Date.parse("2026-03-01T12:00:00Z");
const REGION = "shop/checkout/2";
const TAGS = ["rollout:shop/checkout", "revision:2"];

let g: FakeGrafana;
let redis: RedisHarness;
let service: GrafanaServiceConfig;
let n = 0;
const dispatchers = new HttpDispatchers();
const logLines: string[] = [];
const logger = createLogger({
  level: "debug",
  destination: { write: (s: string) => void logLines.push(s) } as unknown as NodeJS.WritableStream,
});

/** A sink as a fresh worker has it: only Redis remembers the regions. */
const newSink = () =>
  new GrafanaSink({
    dispatchers,
    logger,
    timeoutMs: 300,
    allowPrivateNetworks: true,
    regions: new RedisRevisionStore<GrafanaRegionRecord>(redis.client(), {
      type: "grafana",
      kind: "region",
      ttlSec: 3600,
      parse: parseGrafanaRegionRecord,
    }),
  });

function delivery(
  part: Partial<GrafanaAnnotationPart> & { text: string },
  opts: { recipient?: string; jobId?: string; service?: GrafanaServiceConfig } = {},
): Delivery<GrafanaServiceConfig> {
  const grafana: GrafanaAnnotationPart = { time: T0, tags: TAGS, region: REGION, ...part };
  const svc = opts.service ?? service;
  return {
    jobId: opts.jobId ?? `job-${++n}`,
    destination: { service: svc.name, recipient: opts.recipient ?? "deploys" },
    service: svc,
    notification: { message: part.text, grafana },
  };
}

const gets = () => g.received.filter((r) => r.startsWith("GET "));
const posts = () => g.writes.filter((w) => w.method === "POST");

beforeAll(async () => {
  redis = await startRedis();
  g = await FakeGrafana.start({ apiKey: KEY, dashboards: ["deploys-dash"] });
});
afterAll(async () => {
  await g?.close();
  await redis?.stop();
  await dispatchers.close();
  expect(logLines.join("")).not.toContain(KEY);
});
beforeEach(async () => {
  g.reset();
  await redis.client().flushdb();
  service = { type: "grafana", name: "grafana", apiUrl: g.apiUrl, apiKey: KEY };
});

describe("grafana sink: regions", () => {
  it("one annotation from the update to the abort: POST, PATCHes of the text, timeEnd at the end — across restarts", async () => {
    await newSink().deliver(delivery({ text: "updated to revision 2", time: T0 }));
    await newSink().deliver(delivery({ text: "step 1/2 completed", time: T0 + 60_000 }));
    await newSink().deliver(delivery({ text: "aborted", time: T0 + 120_000, endsRegion: true }));
    expect(g.annotations.size).toBe(1);
    const [a] = [...g.annotations.values()];
    expect(a).toMatchObject({ time: T0, timeEnd: T0 + 120_000, text: "aborted", tags: ["deploys", ...TAGS] });
    expect(g.writes.map((w) => w.method)).toEqual(["POST", "PATCH", "PATCH"]);
    expect(g.writes[0]!.body).toEqual({
      time: T0,
      tags: ["deploys", ...TAGS],
      text: "updated to revision 2",
    });
    expect(g.writes[1]!.body).toEqual({ text: "step 1/2 completed" });
    expect(g.writes[2]!.body).toEqual({ text: "aborted", timeEnd: T0 + 120_000 });
    expect(gets()).toEqual([]);
    // another revision, another recipient: their own annotations
    await newSink().deliver(
      delivery({ text: "updated to revision 3", region: "shop/checkout/3", time: T0 + 180_000 }),
    );
    await newSink().deliver(delivery({ text: "updated to revision 2" }, { recipient: "other|tags" }));
    expect(posts()).toHaveLength(3);
  });

  it("a POST Grafana took whose answer was lost is found by its time and tags, not added again", async () => {
    g.fail({ delayMs: 1000, processed: true });
    const err = await failure(
      newSink().deliver(delivery({ text: "updated to revision 2" }, { jobId: "j1" })),
    );
    expect(err.transient).toBe(true);
    expect(g.annotations.size).toBe(1);
    await newSink().deliver(delivery({ text: "updated to revision 2" }, { jobId: "j1" }));
    expect(gets()).toHaveLength(1);
    expect(gets()[0]).toContain("/api/annotations");
    expect(posts()).toHaveLength(1);
    expect(g.annotations.size).toBe(1);
    // the region goes on with that annotation
    await newSink().deliver(delivery({ text: "completed", endsRegion: true, time: T0 + 5000 }));
    expect(g.annotations.size).toBe(1);
    expect([...g.annotations.values()][0]).toMatchObject({ text: "completed", timeEnd: T0 + 5000 });
  });

  it("an answered rejection created nothing: the retry adds it without looking; a 5xx makes the retry look first", async () => {
    g.fail({ status: 400, message: "bad" });
    const rejected = await failure(newSink().deliver(delivery({ text: "updated" })));
    expect(rejected.transient).toBe(false);
    g.fail({ status: 429, retryAfterSec: 3 });
    const limited = await failure(newSink().deliver(delivery({ text: "updated" })));
    expect(limited).toMatchObject({ transient: true, retryAfterMs: 3000 });
    await newSink().deliver(delivery({ text: "updated" }));
    expect(gets()).toEqual([]);
    expect(posts()).toHaveLength(1);

    g.reset();
    await redis.client().flushdb();
    g.fail({ status: 502 });
    const bad = await failure(newSink().deliver(delivery({ text: "updated" })));
    expect(bad.transient).toBe(true);
    await newSink().deliver(delivery({ text: "updated" }));
    expect(gets()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it("a search the key may not make is logged and the annotation added (at least once)", async () => {
    g.fail({ delayMs: 1000, processed: false });
    await failure(newSink().deliver(delivery({ text: "updated" })));
    g.fail({ status: 403, message: "permissions needed: annotations:read" });
    await newSink().deliver(delivery({ text: "updated" }));
    expect(posts()).toHaveLength(1);
    expect(logLines.join("")).toContain("cannot look for an annotation");
  });

  it("an annotation deleted in Grafana is added again for the region's next notification", async () => {
    await newSink().deliver(delivery({ text: "updated" }));
    g.deleteAnnotation(posts()[0]!.id);
    await newSink().deliver(delivery({ text: "paused", time: T0 + 1000 }));
    expect(posts()).toHaveLength(2);
    expect([...g.annotations.values()]).toMatchObject([{ text: "paused", time: T0 + 1000 }]);
    await newSink().deliver(delivery({ text: "completed", time: T0 + 2000, endsRegion: true }));
    expect([...g.annotations.values()]).toMatchObject([
      { text: "completed", time: T0 + 1000, timeEnd: T0 + 2000 },
    ]);
  });

  it("without a region: one point annotation per notification (upstream), on the configured dashboard/panel", async () => {
    const svc: GrafanaServiceConfig = { ...service, dashboardUID: "deploys-dash", panelId: 4 };
    const d = (text: string) => {
      const x = delivery({ text }, { service: svc, recipient: "a|b" });
      delete x.notification.grafana!.region;
      delete x.notification.grafana!.tags;
      return x;
    };
    await newSink().deliver(d("one"));
    await newSink().deliver(d("two"));
    expect(posts().map((w) => w.body)).toEqual([
      { time: T0, tags: ["a", "b"], text: "one", dashboardUID: "deploys-dash", panelId: 4 },
      { time: T0, tags: ["a", "b"], text: "two", dashboardUID: "deploys-dash", panelId: 4 },
    ]);
    expect(g.annotations.size).toBe(2);
  });

  it("a bad key is permanent (Grafana's 401), an empty text is refused before sending; no key in errors", async () => {
    const wrong = { ...service, apiKey: "glsa_wrongTokenValue_000000000000" };
    const err = await failure(newSink().deliver(delivery({ text: "x" }, { service: wrong })));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/HTTP 401: Unauthorized/);
    const empty = await failure(newSink().deliver(delivery({ text: "  " })));
    expect(empty.code).toBe("invalid_message");
    expect(g.received).toHaveLength(1);
    expect(`${err.message}${empty.message}`).not.toContain(KEY);
  });
});
