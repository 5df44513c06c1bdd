// Watch semantics over raw HTTP and the fault hooks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { api, openWatch } from "./http-client.ts";
import { type KubeApiServer, startKubeApiServer } from "./index.ts";
import { waitFor } from "./wait-for.ts";

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 0 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.faults.clear();
});

const RO = "/apis/argoproj.io/v1alpha1";
const rollout = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name, namespace, labels },
  spec: { replicas: 1 },
});
const summary = (events: { type: string; object: KubeObject }[]) =>
  events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`.trim());

describe("watch", () => {
  it("replays history after a resourceVersion, then streams; DELETED carries the last object at a new rv", async () => {
    const start = server.objects.resourceVersion;
    server.objects.create(rollout("w-a", "one"));
    server.objects.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "other", namespace: "w-a" },
    });
    const w = await openWatch(server, `${RO}/namespaces/w-a/rollouts?watch=true&resourceVersion=${start}`);
    expect(w.status).toBe(200);
    await w.next(1);
    server.objects.patch({ kind: "Rollout", namespace: "w-a", name: "one" }, { spec: { replicas: 2 } });
    const beforeDelete = server.objects.resourceVersion;
    server.objects.delete({ kind: "Rollout", namespace: "w-a", name: "one" });
    const events = await w.next(3);
    expect(summary(events)).toEqual(["ADDED one", "MODIFIED one", "DELETED one"]);
    expect(events[2]!.object.spec).toEqual({ replicas: 2 });
    expect(Number(events[2]!.object.metadata.resourceVersion)).toBe(Number(beforeDelete) + 1);
    await w.close();
  });

  it("without resourceVersion (or 0) starts with synthetic ADDED events for the current state", async () => {
    server.objects.create(rollout("w-b", "existing"));
    const w = await openWatch(server, `${RO}/namespaces/w-b/rollouts?watch=1`);
    expect(summary(await w.next(1))).toEqual(["ADDED existing"]);
    await w.close();
    const w0 = await openWatch(server, `${RO}/namespaces/w-b/rollouts?watch=1&resourceVersion=0`);
    expect(summary(await w0.next(1))).toEqual(["ADDED existing"]);
    await w0.close();
  });

  it("filters by label selector: objects entering the selection are ADDED, leaving it DELETED", async () => {
    const w = await openWatch(
      server,
      `${RO}/rollouts?watch=true&labelSelector=notify%3Dyes&resourceVersion=${server.objects.resourceVersion}`,
    );
    const ref = { kind: "Rollout", namespace: "w-c", name: "sel" };
    server.objects.create(rollout("w-c", "sel", { notify: "no" }));
    server.objects.patch(ref, { metadata: { labels: { notify: "yes" } } });
    server.objects.patch(ref, { spec: { replicas: 3 } });
    server.objects.patch(ref, { metadata: { labels: { notify: "no" } } });
    expect(summary(await w.next(3))).toEqual(["ADDED sel", "MODIFIED sel", "DELETED sel"]);
    await w.close();
  });

  it("sends ERROR 410 Expired (HTTP 200) for a compacted resourceVersion and closes", async () => {
    const old = server.objects.resourceVersion;
    server.objects.create(rollout("w-d", "x"));
    server.faults.compact();
    const w = await openWatch(server, `${RO}/rollouts?watch=true&resourceVersion=${old}`);
    expect(w.status).toBe(200);
    await w.done;
    expect(w.events).toEqual([
      {
        type: "ERROR",
        object: expect.objectContaining({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          code: 410,
          reason: "Expired",
        }),
      },
    ]);
  });

  it("waits for a resourceVersion from the future and streams only what follows it", async () => {
    server.objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "w-f" } });
    const future = Number(server.objects.resourceVersion) + 2;
    const w = await openWatch(server, `${RO}/namespaces/w-f/rollouts?watch=true&resourceVersion=${future}`);
    server.objects.create(rollout("w-f", "skipped-1"));
    server.objects.create(rollout("w-f", "skipped-2"));
    server.objects.create(rollout("w-f", "seen"));
    expect(summary(await w.next(1))).toEqual(["ADDED seen"]);
    await w.close();
  });

  it("ends the stream at timeoutSeconds", async () => {
    const w = await openWatch(
      server,
      `${RO}/rollouts?watch=true&timeoutSeconds=1&resourceVersion=${server.objects.resourceVersion}`,
    );
    await w.done;
    expect(w.ended).toBe(true);
    expect(w.events).toEqual([]);
  });

  it("streaming list (sendInitialEvents) ends the initial state with an annotated BOOKMARK", async () => {
    server.objects.create(rollout("w-e", "a"));
    const w = await openWatch(
      server,
      `${RO}/namespaces/w-e/rollouts?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    const events = await w.next(2);
    expect(events[0]!.type).toBe("ADDED");
    expect(events[1]).toEqual({
      type: "BOOKMARK",
      object: {
        kind: "Rollout",
        apiVersion: "argoproj.io/v1alpha1",
        metadata: {
          resourceVersion: server.objects.resourceVersion,
          annotations: { "k8s.io/initial-events-end": "true" },
        },
      },
    });
    await w.close();
  });
});

describe("fault hooks", () => {
  it("drops open watches (clean end or abrupt) and counts them", async () => {
    const a = await openWatch(
      server,
      `${RO}/rollouts?watch=true&resourceVersion=${server.objects.resourceVersion}`,
    );
    const b = await openWatch(
      server,
      `/api/v1/configmaps?watch=true&resourceVersion=${server.objects.resourceVersion}`,
    );
    await waitFor("two open watches", () => server.faults.openWatchCount === 2);
    expect(server.faults.dropWatches()).toBe(2);
    await Promise.all([a.done, b.done]);
    await waitFor("no open watches", () => server.faults.openWatchCount === 0);
    const c = await openWatch(
      server,
      `${RO}/rollouts?watch=true&resourceVersion=${server.objects.resourceVersion}`,
    );
    await waitFor("open watch", () => server.faults.openWatchCount === 1);
    server.faults.dropWatches({ abrupt: true });
    await c.done;
    expect(c.ended).toBe(true);
  });

  it("forces the next watches to expire", async () => {
    server.faults.expireNextWatches(2);
    for (let i = 0; i < 2; i++) {
      const w = await openWatch(
        server,
        `${RO}/rollouts?watch=true&resourceVersion=${server.objects.resourceVersion}`,
      );
      await w.done;
      expect(w.events.map((e) => `${e.type} ${e.object.code}`)).toEqual(["ERROR 410"]);
    }
    const ok = await openWatch(
      server,
      `${RO}/rollouts?watch=true&resourceVersion=${server.objects.resourceVersion}`,
    );
    await waitFor("open watch", () => server.faults.openWatchCount === 1);
    await ok.close();
  });

  it("fails the next N requests for a path with a Status of the given code, then recovers", async () => {
    server.faults.failNext(2, `${RO}/rollouts`, 503, "GET");
    const first = await api(server, "GET", `${RO}/rollouts`);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ kind: "Status", code: 503, reason: "ServiceUnavailable" });
    expect((await api(server, "GET", "/api/v1/namespaces")).status).toBe(200); // other paths unaffected
    expect((await api(server, "GET", `${RO}/rollouts`)).status).toBe(503);
    expect((await api(server, "GET", `${RO}/rollouts`)).status).toBe(200);
  });

  it("delays responses (requests still succeed) and records requests", async () => {
    const before = server.faults.requestCount(`${RO}/rollouts`);
    server.faults.delayResponses(50, `${RO}/rollouts`);
    expect(server.faults.delayFor("GET", `${RO}/rollouts`)).toBe(50);
    expect(server.faults.delayFor("GET", "/api/v1/namespaces")).toBe(0);
    expect((await api(server, "GET", `${RO}/rollouts`)).status).toBe(200);
    expect(server.faults.requestCount(`${RO}/rollouts`)).toBe(before + 1);
    expect(server.faults.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `${RO}/rollouts`,
      watch: false,
    });
  });
});
