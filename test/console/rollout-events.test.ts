// RolloutEventRecorder (src/events/rollout-events.ts) against the Kubernetes API test server: what each Event
// carries, repeats folded into one write, an expired Event recreated, failures dropped without stopping the
// writes after them; and its aggregation key and Event name suffix. (Aggregation and the spam filter through
// the console: test/console/console.test.ts.)
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  aggregationKey,
  REASON_DELIVERED,
  RolloutEventRecorder,
  randomHex8,
} from "../../src/events/rollout-events.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";

let kube: KubeApiServer;
beforeAll(async () => {
  kube = await startKubeApiServer({ namespaces: ["default", "apps"] });
});
afterAll(async () => {
  await kube.stop();
});
afterEach(() => {
  kube.faults.clear();
});

type EventObject = KubeObject & {
  count?: number;
  message?: string;
  type?: string;
  reason?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  reportingComponent?: string;
  reportingInstance?: string;
  involvedObject?: { uid?: string };
};

const eventsOf = (name: string) =>
  (kube.objects.list("Event", "apps") as EventObject[]).filter((e) =>
    e.metadata.name?.startsWith(`${name}.`),
  );

function debugLines() {
  const lines: { msg: string; err?: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("RolloutEventRecorder", () => {
  it("creates an Event as client-go's recorder does: name, timestamps, source, reporting instance", async () => {
    let now = Date.parse("2026-03-01T10:00:00.123Z");
    const recorder = new RolloutEventRecorder({
      kc: kube.kubeConfig(),
      logger: pino({ level: "silent" }),
      instance: "pod-7",
      now: () => new Date(now),
    });
    const ro = { kind: "Rollout", namespace: "apps", name: "shape", uid: "uid-shape" };
    recorder.record(ro, "Normal", REASON_DELIVERED, "Notification a to slack:x delivered");
    await recorder.flush();
    const [e] = eventsOf("shape");
    expect(e!.metadata.name).toMatch(/^shape\.[0-9a-f]{11,}[0-9a-f]{8}$/);
    expect(e).toMatchObject({
      type: "Normal",
      reason: REASON_DELIVERED,
      message: "Notification a to slack:x delivered",
      count: 1,
      firstTimestamp: "2026-03-01T10:00:00.123Z",
      lastTimestamp: "2026-03-01T10:00:00.123Z",
      source: { component: "rollouts-notifier" },
      reportingComponent: "rollouts-notifier",
      reportingInstance: "pod-7",
    });
    now += 60_000;
    recorder.record(ro, "Normal", REASON_DELIVERED, "Notification a to slack:x delivered");
    await recorder.flush();
    const [again] = eventsOf("shape");
    expect(again).toMatchObject({
      count: 2,
      firstTimestamp: "2026-03-01T10:00:00.123Z",
      lastTimestamp: "2026-03-01T10:01:00.123Z",
    });
  });

  it("folds repeats recorded while a write is queued into it: one request for the lot", async () => {
    const recorder = new RolloutEventRecorder({
      kc: kube.kubeConfig(),
      logger: pino({ level: "silent" }),
      instance: "pod-1",
    });
    const ro = { kind: "Rollout", namespace: "apps", name: "fold", uid: "uid-fold" };
    const before = kube.faults.requestCount("/api/v1/namespaces/apps/events", "POST");
    // the first write starts at once (in a microtask); the next is queued behind it and takes the repeats
    recorder.record(ro, "Normal", REASON_DELIVERED, "first");
    for (let i = 0; i < 5; i++) recorder.record(ro, "Normal", REASON_DELIVERED, "again");
    await recorder.flush();
    expect(kube.faults.requestCount("/api/v1/namespaces/apps/events", "POST") - before).toBe(2);
    expect(
      eventsOf("fold")
        .map((e) => [e.message, e.count])
        .sort(),
    ).toEqual([
      ["again", 5],
      ["first", 1],
    ]);
  });

  it("keeps Events of different Rollouts, types and reasons apart, even with the same message", async () => {
    const recorder = new RolloutEventRecorder({
      kc: kube.kubeConfig(),
      logger: pino({ level: "silent" }),
      instance: "pod-1",
    });
    const a = { kind: "Rollout", namespace: "apps", name: "apart", uid: "uid-apart-1" };
    const recreated = { ...a, uid: "uid-apart-2" }; // deleted and created again under the same name
    recorder.record(a, "Normal", REASON_DELIVERED, "same");
    await recorder.flush();
    recorder.record(recreated, "Normal", REASON_DELIVERED, "same");
    recorder.record(a, "Warning", REASON_DELIVERED, "same");
    recorder.record(a, "Normal", "Other", "same");
    recorder.record(a, "Normal", REASON_DELIVERED, "same");
    await recorder.flush();
    const events = eventsOf("apart");
    expect(events.map((e) => [e.involvedObject?.uid, e.type, e.reason, e.count]).sort()).toEqual([
      ["uid-apart-1", "Normal", "NotificationDelivered", 2],
      ["uid-apart-1", "Normal", "Other", 1],
      ["uid-apart-1", "Warning", "NotificationDelivered", 1],
      ["uid-apart-2", "Normal", "NotificationDelivered", 1],
    ]);
  });

  it("an Event deleted meanwhile (expired) is created again with this write's count", async () => {
    const recorder = new RolloutEventRecorder({
      kc: kube.kubeConfig(),
      logger: pino({ level: "silent" }),
      instance: "pod-1",
    });
    const ro = { kind: "Rollout", namespace: "apps", name: "expired", uid: "uid-expired" };
    recorder.record(ro, "Normal", REASON_DELIVERED, "m");
    await recorder.flush();
    recorder.record(ro, "Normal", REASON_DELIVERED, "m");
    await recorder.flush();
    const [first] = eventsOf("expired");
    expect(first!.count).toBe(2);
    kube.objects.delete({ kind: "Event", namespace: "apps", name: first!.metadata.name! });
    recorder.record(ro, "Normal", REASON_DELIVERED, "m");
    await recorder.flush();
    const recreated = eventsOf("expired");
    expect(recreated).toHaveLength(1);
    expect(recreated[0]!.metadata.name).not.toBe(first!.metadata.name);
    expect(recreated[0]!.count).toBe(1);
  });

  it("a failed write is logged at debug and dropped; the writes after it go on", async () => {
    const { logger, lines } = debugLines();
    const recorder = new RolloutEventRecorder({ kc: kube.kubeConfig(), logger, instance: "pod-1" });
    const ro = { kind: "Rollout", namespace: "apps", name: "failing", uid: "uid-failing" };
    kube.faults.failNext(1, "/api/v1/namespaces/apps/events", 500, "POST");
    recorder.record(ro, "Normal", REASON_DELIVERED, "lost");
    recorder.record(ro, "Normal", REASON_DELIVERED, "kept");
    await recorder.flush();
    expect(eventsOf("failing").map((e) => e.message)).toEqual(["kept"]);
    expect(lines.map((l) => l.msg)).toEqual(["could not record a Kubernetes Event"]);
    expect(lines[0]!.err).toMatch(/^POST \/api\/v1\/namespaces\/apps\/events: HTTP 500/);
    // nothing left in flight: 40 more distinct messages over 40 Rollouts are all written
    for (let i = 0; i < 40; i++)
      recorder.record({ ...ro, name: `many${i}`, uid: `uid-many-${i}` }, "Normal", REASON_DELIVERED, "m");
    await recorder.flush();
    expect(recorder.dropped).toBe(8); // 32 in flight at most
  });
});

describe("aggregationKey and randomHex8", () => {
  it("aggregation keys differ whenever one of (uid, namespace, name, type, reason, message) does", () => {
    const ro = { kind: "Rollout", namespace: "ns", name: "n", uid: "u" };
    const keys = [
      aggregationKey(ro, "Normal", "R", "m"),
      aggregationKey({ ...ro, uid: "u2" }, "Normal", "R", "m"),
      aggregationKey({ ...ro, namespace: "ns2" }, "Normal", "R", "m"),
      aggregationKey({ ...ro, name: "n2" }, "Normal", "R", "m"),
      aggregationKey(ro, "Warning", "R", "m"),
      aggregationKey(ro, "Normal", "R2", "m"),
      aggregationKey(ro, "Normal", "R", "m2"),
      // fields shifted across the boundaries
      aggregationKey({ ...ro, namespace: "n", name: "sn" }, "Normal", "R", "m"),
      aggregationKey(ro, "Normal", "", "R m"),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(aggregationKey(ro, "Normal", "R", "m")).toBe(aggregationKey({ ...ro }, "Normal", "R", "m"));
  });

  it("randomHex8: 8 hex digits, fresh on each call across refills of its block", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const h = randomHex8();
      expect(h).toMatch(/^[0-9a-f]{8}$/);
      seen.add(h);
    }
    // 2,000 draws of 32 bits: a repeat has a probability under 1e-3
    expect(seen.size).toBeGreaterThanOrEqual(1_999);
  });
});
