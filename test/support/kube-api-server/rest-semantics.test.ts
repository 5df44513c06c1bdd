// The API server semantics the service relies on, over raw HTTP: resourceVersion, generation, optimistic
// concurrency, patches, list paging and selectors, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { api } from "./http-client.ts";
import { type KubeApiServer, startKubeApiServer } from "./index.ts";

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer();
});
afterAll(async () => {
  await server.stop();
});

const RO = "/apis/argoproj.io/v1alpha1";
const rollout = (name: string, labels: Record<string, string> = {}, replicas = 1): KubeObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name, labels },
  spec: { replicas },
  status: { phase: "Healthy" },
});

describe("writes", () => {
  it("assigns uid, creationTimestamp, generation 1 and one global increasing resourceVersion; drops status on create", async () => {
    const before = Number(server.objects.resourceVersion);
    const cm = await api(server, "POST", "/api/v1/namespaces/default/configmaps", {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c1" }, data: { a: "1" } },
    });
    const ro = await api(server, "POST", `${RO}/namespaces/default/rollouts`, { body: rollout("w1") });
    expect(cm.status).toBe(201);
    expect(ro.status).toBe(201);
    expect(Number(cm.body.metadata.resourceVersion)).toBe(before + 1);
    expect(Number(ro.body.metadata.resourceVersion)).toBe(before + 2);
    expect(ro.body.metadata).toMatchObject({ namespace: "default", generation: 1 });
    expect(ro.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(ro.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(cm.body.metadata.generation).toBeUndefined(); // built-in ConfigMaps carry no generation
    expect(ro.body.status).toBeUndefined();
  });

  it("bumps generation on spec changes only; status goes through /status; no-op writes make no revision", async () => {
    const path = `${RO}/namespaces/default/rollouts/w1`;
    const cur = (await api(server, "GET", path)).body as KubeObject;
    const labelled = await api(server, "PATCH", path, {
      body: { metadata: { labels: { team: "a" } } },
      contentType: "application/merge-patch+json",
    });
    expect(labelled.body.metadata.generation).toBe(1);
    const statusViaMain = await api(server, "PUT", path, {
      body: { ...labelled.body, spec: { replicas: 2 }, status: { phase: "Degraded" } },
    });
    expect(statusViaMain.body.metadata.generation).toBe(2);
    expect(statusViaMain.body.status).toBeUndefined(); // main resource ignores status
    const status = await api(server, "PUT", `${path}/status`, {
      body: { ...statusViaMain.body, spec: { replicas: 99 }, status: { phase: "Paused" } },
    });
    expect(status.body.status).toEqual({ phase: "Paused" });
    expect(status.body.spec).toEqual({ replicas: 2 }); // /status ignores everything else
    expect(status.body.metadata.generation).toBe(2);
    const noop = await api(server, "PATCH", path, {
      body: { spec: { replicas: 2 } },
      contentType: "application/merge-patch+json",
    });
    expect(noop.body.metadata.resourceVersion).toBe(status.body.metadata.resourceVersion);
    expect(cur.metadata.uid).toBe(noop.body.metadata.uid);
  });

  it("AnalysisRuns have no status subresource (per their CRD): status is written with the object", async () => {
    const ar = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AnalysisRun",
      metadata: { name: "ar" },
      spec: { metrics: [] },
    };
    const created = await api(server, "POST", `${RO}/namespaces/default/analysisruns`, {
      body: { ...ar, status: { phase: "Running" } },
    });
    expect(created.body.status).toEqual({ phase: "Running" });
    const st = await api(server, "PUT", `${RO}/namespaces/default/analysisruns/ar/status`, {
      body: created.body,
    });
    expect(st.status).toBe(404);
  });

  it("answers 409 AlreadyExists, 409 Conflict on a stale resourceVersion, 422 without one, 404 NotFound", async () => {
    const dup = await api(server, "POST", `${RO}/namespaces/default/rollouts`, { body: rollout("w1") });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "AlreadyExists",
      message: 'rollouts.argoproj.io "w1" already exists',
      details: { name: "w1", group: "argoproj.io", kind: "rollouts" },
      code: 409,
    });
    const stale = await api(server, "PUT", `${RO}/namespaces/default/rollouts/w1`, {
      body: { ...rollout("w1"), metadata: { name: "w1", resourceVersion: "1" } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");
    const patchStale = await api(server, "PATCH", `${RO}/namespaces/default/rollouts/w1`, {
      body: { metadata: { resourceVersion: "1" }, spec: { replicas: 5 } },
      contentType: "application/merge-patch+json",
    });
    expect(patchStale.status).toBe(409);
    const noRv = await api(server, "PUT", `${RO}/namespaces/default/rollouts/w1`, { body: rollout("w1") });
    expect(noRv.status).toBe(422);
    const missing = await api(server, "GET", `${RO}/namespaces/default/rollouts/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('rollouts.argoproj.io "nope" not found');
    expect((await api(server, "GET", "/api/v1/namespaces/default/pods")).status).toBe(404);
    const noNs = await api(server, "POST", "/api/v1/namespaces/ghost/configmaps", {
      body: { metadata: { name: "x" } },
    });
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
  });

  it("applies JSON patch (failing atomically with 422) and strategic merge on built-ins (415 on CRs)", async () => {
    const path = "/api/v1/namespaces/default/configmaps/c1";
    const ok = await api(server, "PATCH", path, {
      body: [
        { op: "add", path: "/data/b", value: "2" },
        { op: "remove", path: "/data/a" },
      ],
      contentType: "application/json-patch+json",
    });
    expect(ok.body.data).toEqual({ b: "2" });
    const bad = await api(server, "PATCH", path, {
      body: [
        { op: "add", path: "/data/c", value: "3" },
        { op: "test", path: "/data/b", value: "nope" },
      ],
      contentType: "application/json-patch+json",
    });
    expect(bad.status).toBe(422);
    expect((await api(server, "GET", path)).body.data).toEqual({ b: "2" });
    const smp = await api(server, "PATCH", path, {
      body: { data: { d: "4" } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(smp.body.data).toEqual({ b: "2", d: "4" });
    const smpCr = await api(server, "PATCH", `${RO}/namespaces/default/rollouts/w1`, {
      body: { spec: {} },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(smpCr.status).toBe(415);
  });

  it("stores Secret stringData base64-encoded in data", async () => {
    const s = await api(server, "POST", "/api/v1/namespaces/default/secrets", {
      body: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { token: "xoxb-1" } },
    });
    expect(s.body).toMatchObject({
      type: "Opaque",
      data: { token: Buffer.from("xoxb-1").toString("base64") },
    });
    expect(s.body.stringData).toBeUndefined();
  });

  it("serves Lease MicroTime fields with microsecond precision", async () => {
    const lease = await api(server, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", {
      body: { metadata: { name: "l" }, spec: { holderIdentity: "a", renewTime: "2026-01-02T03:04:05.123Z" } },
    });
    expect(lease.body).toMatchObject({ kind: "Lease", apiVersion: "coordination.k8s.io/v1" });
    expect(lease.body.spec.renewTime).toBe("2026-01-02T03:04:05.123000Z");
  });

  it("keeps an object with finalizers until they are removed; deleting a namespace deletes its content", async () => {
    server.objects.create({
      ...rollout("fin"),
      metadata: { name: "fin", namespace: "gone", finalizers: ["x/y"] },
    });
    const del = await api(server, "DELETE", `${RO}/namespaces/gone/rollouts/fin`);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    const ref = { kind: "Rollout", namespace: "gone", name: "fin" };
    expect(server.objects.tryGet(ref)).toBeDefined();
    server.objects.patch(ref, { metadata: { finalizers: null } });
    expect(server.objects.tryGet(ref)).toBeUndefined();

    server.objects.create({ ...rollout("r"), metadata: { name: "r", namespace: "gone" } });
    expect((await api(server, "DELETE", "/api/v1/namespaces/gone")).status).toBe(200);
    expect(server.objects.list("Rollout", "gone")).toEqual([]);
  });
});

describe("list", () => {
  beforeAll(() => {
    for (const [i, ns] of ["l-a", "l-b", "l-c"].entries()) {
      for (const name of ["x", "y"]) {
        server.objects.create({
          ...rollout(name, { app: name, tier: String(i) }),
          metadata: { name, namespace: ns, labels: { app: name, tier: String(i) } },
        });
      }
    }
  });

  it("pages with limit/continue from one snapshot; a continue token expires after compaction", async () => {
    const all = await api(server, "GET", `${RO}/rollouts?labelSelector=tier`);
    expect(all.body.items.map((o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "l-a/x",
      "l-a/y",
      "l-b/x",
      "l-b/y",
      "l-c/x",
      "l-c/y",
    ]);
    const p1 = await api(server, "GET", `${RO}/rollouts?limit=4&labelSelector=tier`);
    expect(p1.body.items).toHaveLength(4);
    expect(p1.body.metadata.continue).toBeTruthy();
    server.objects.create({
      ...rollout("z"),
      metadata: { name: "z", namespace: "l-c", labels: { tier: "9" } },
    });
    server.objects.delete({ kind: "Rollout", namespace: "l-c", name: "y" });
    const p2 = await api(
      server,
      "GET",
      `${RO}/rollouts?limit=4&labelSelector=tier&continue=${p1.body.metadata.continue}`,
    );
    expect(p2.body.items.map((o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "l-c/x",
      "l-c/y",
    ]);
    expect(p2.body.metadata.resourceVersion).toBe(p1.body.metadata.resourceVersion);
    expect(p2.body.metadata.continue).toBeUndefined();

    server.faults.compact();
    const p2again = await api(server, "GET", `${RO}/rollouts?limit=4&continue=${p1.body.metadata.continue}`);
    expect(p2again.status).toBe(410);
    expect(p2again.body.reason).toBe("Expired");
  });

  it("serves resourceVersion=0 without paging, refuses a future resourceVersion, and honours Exact", async () => {
    const any = await api(server, "GET", `${RO}/namespaces/l-a/rollouts?resourceVersion=0&limit=1`);
    expect(any.body.items).toHaveLength(2);
    expect(any.body.metadata.continue).toBeUndefined();
    const future = await api(
      server,
      "GET",
      `${RO}/rollouts?resourceVersion=${Number(server.objects.resourceVersion) + 10}`,
    );
    expect(future.status).toBe(504);
    const rv = server.objects.resourceVersion;
    server.objects.patch({ kind: "Rollout", namespace: "l-a", name: "x" }, { spec: { replicas: 7 } });
    const exact = await api(
      server,
      "GET",
      `${RO}/namespaces/l-a/rollouts?resourceVersion=${rv}&resourceVersionMatch=Exact`,
    );
    expect(exact.body.items[0].spec.replicas).toBe(1);
    expect(exact.body.metadata.resourceVersion).toBe(rv);
    const latest = await api(server, "GET", `${RO}/namespaces/l-a/rollouts`);
    expect(latest.body.items[0].spec.replicas).toBe(7);
  });

  it("filters with label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors", async () => {
    const names = async (q: string) =>
      (await api(server, "GET", `${RO}/rollouts?${q}`)).body.items.map(
        (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`,
      );
    expect(await names("labelSelector=app%3Dx,tier%3D%3D1")).toEqual(["l-b/x"]);
    expect(await names(`labelSelector=${encodeURIComponent("app!=x,tier in (0, 1)")}`)).toEqual([
      "l-a/y",
      "l-b/y",
    ]);
    expect(await names(`labelSelector=${encodeURIComponent("tier notin (0,1),app")}`)).toEqual(["l-c/x"]);
    expect(await names(`labelSelector=${encodeURIComponent("!tier,app")}`)).toEqual([]);
    expect(await names("fieldSelector=metadata.name%3Dy,metadata.namespace!%3Dl-b")).toEqual(["l-a/y"]);
    const bad = await api(server, "GET", `${RO}/rollouts?fieldSelector=spec.replicas%3D1`);
    expect(bad.status).toBe(400);
    expect(
      (await api(server, "GET", `${RO}/rollouts?labelSelector=${encodeURIComponent("a in ()")}`)).status,
    ).toBe(400);
  });

  it("omits apiVersion/kind on built-in list items like the real server; custom resources keep them", async () => {
    const cms = await api(server, "GET", "/api/v1/namespaces/default/configmaps");
    expect(cms.body).toMatchObject({ kind: "ConfigMapList", apiVersion: "v1" });
    expect(cms.body.items[0].kind).toBeUndefined();
    const ros = await api(server, "GET", `${RO}/namespaces/l-a/rollouts`);
    expect(ros.body.items[0]).toMatchObject({ kind: "Rollout", apiVersion: "argoproj.io/v1alpha1" });
  });
});

describe("discovery and auth", () => {
  it("serves version, legacy and aggregated discovery; rejects a wrong token", async () => {
    expect((await api(server, "GET", "/version", { token: null })).body).toMatchObject({
      major: "1",
      minor: "32",
    });
    const group = await api(server, "GET", "/apis/argoproj.io/v1alpha1");
    expect(group.body.resources.map((r: { name: string }) => r.name)).toEqual([
      "rollouts",
      "rollouts/status",
      "analysisruns",
      "experiments",
    ]);
    const agg = await fetch(`${server.url}/apis`, {
      headers: {
        accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
      },
    });
    expect(agg.headers.get("content-type")).toContain("as=APIGroupDiscoveryList");
    expect((await api(server, "GET", "/api/v1/namespaces", { token: "wrong" })).status).toBe(401);
  });
});
