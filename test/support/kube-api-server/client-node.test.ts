// @kubernetes/client-node 2.x against the test API server: informers (ListWatch), Watch, leases.
import {
  ApiException,
  CoordinationV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  makeInformer,
  type V1Lease,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/objects.ts";
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

function rollout(namespace: string, name: string, replicas = 1): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } } },
    },
  };
}

/** An informer over all Rollouts, recording what it reports. */
function rolloutInformer() {
  const kc = server.kubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const informer = makeInformer<KubernetesObject>(kc, "/apis/argoproj.io/v1alpha1/rollouts", () =>
    custom.listClusterCustomObject({ group: "argoproj.io", version: "v1alpha1", plural: "rollouts" }),
  );
  const seen: string[] = [];
  const errors: unknown[] = [];
  informer.on("add", (o) => seen.push(`add ${o.metadata?.namespace}/${o.metadata?.name}`));
  informer.on("update", (o) => seen.push(`update ${o.metadata?.name} ${o.metadata?.resourceVersion}`));
  informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
  informer.on("error", (err) => errors.push(err));
  return { informer, seen, errors };
}

describe("client-node informer (makeInformer + ListWatch)", () => {
  it("lists, then receives add, update and delete", async () => {
    server.objects.create(rollout("inf-a", "before"));
    const { informer, seen } = rolloutInformer();
    await informer.start();
    await waitFor("initial list", () => seen.includes("add inf-a/before"));
    await waitFor("watch open", () => server.faults.openWatchCount > 0);

    server.objects.create(rollout("inf-a", "during"));
    const updated = server.objects.patch(
      { kind: "Rollout", namespace: "inf-a", name: "during" },
      { spec: { replicas: 3 } },
    );
    server.objects.delete({ kind: "Rollout", namespace: "inf-a", name: "before" });

    await waitFor("delete event", () => seen.includes("delete before"));
    expect(seen).toEqual([
      "add inf-a/before",
      "add inf-a/during",
      `update during ${updated.metadata.resourceVersion}`,
      "delete before",
    ]);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(["during"]);
    await informer.stop();
    server.objects.delete({ kind: "Rollout", namespace: "inf-a", name: "during" });
  });

  it("recovers from 410 Expired by relisting (no error event, changes made meanwhile are seen)", async () => {
    const { informer, seen, errors } = rolloutInformer();
    await informer.start();
    await waitFor("watch open", () => server.faults.openWatchCount > 0);
    const listsBefore = server.faults.requests.filter((r) => r.path.endsWith("/rollouts") && !r.watch).length;

    // The next watch gets ERROR 410; the informer clears its resourceVersion and relists when the stream ends.
    server.faults.expireNextWatches(1);
    server.faults.dropWatches(); // clean close, as at timeoutSeconds: the informer re-watches from its rv
    server.objects.create(rollout("inf-b", "while-expired"));

    await waitFor("relisted object", () => seen.includes("add inf-b/while-expired"));
    const listsAfter = server.faults.requests.filter((r) => r.path.endsWith("/rollouts") && !r.watch).length;
    expect(listsAfter).toBe(listsBefore + 1);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it("stops with an `error` event on a dropped connection; the caller restarts it with start()", async () => {
    const { informer, seen, errors } = rolloutInformer();
    // What a caller must do: client-node does not restart an informer after an error (only after 410 or a
    // clean end of the stream), so restart it after a back-off. start() resumes from the last resourceVersion.
    informer.on("error", () => {
      setTimeout(() => void informer.start(), 20);
    });
    await informer.start();
    await waitFor("watch open", () => server.faults.openWatchCount > 0);

    server.faults.dropWatches({ abrupt: true });
    await waitFor("error event", () => errors.length > 0);
    server.objects.create(rollout("inf-c", "after-drop"));
    await waitFor("event after restart", () => seen.includes("add inf-c/after-drop"));
    await informer.stop();
  });
});

describe("client-node Watch", () => {
  it("gets BOOKMARK events carrying only the resourceVersion when it asks for them", async () => {
    const events: { type: string; obj: KubeObject }[] = [];
    const watch = new Watch(server.kubeConfig());
    const rv = server.objects.resourceVersion;
    const req = await watch.watch(
      "/apis/argoproj.io/v1alpha1/rollouts",
      { resourceVersion: rv, allowWatchBookmarks: true },
      (type, obj) => events.push({ type, obj }),
      () => {},
    );
    await waitFor("watch open", () => server.faults.openWatchCount > 0);
    server.objects.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "bump", namespace: "default" },
    });
    server.faults.sendBookmarks();
    const bookmark = await waitFor("bookmark", () => events.find((e) => e.type === "BOOKMARK"));
    expect(bookmark.obj).toEqual({
      kind: "Rollout",
      apiVersion: "argoproj.io/v1alpha1",
      metadata: { resourceVersion: server.objects.resourceVersion },
    });
    req.abort();
  });

  it("started at a resourceVersion older than the compacted history gets ERROR 410 Expired", async () => {
    const old = server.objects.resourceVersion;
    server.objects.create(rollout("watch-old", "x"));
    server.faults.compact();
    const events: { type: string; obj: unknown }[] = [];
    let doneWith: unknown = "not called";
    const watch = new Watch(server.kubeConfig());
    await watch.watch(
      "/apis/argoproj.io/v1alpha1/namespaces/watch-old/rollouts",
      { resourceVersion: old },
      (type, obj) => events.push({ type, obj }),
      (err) => {
        doneWith = err;
      },
    );
    await waitFor("stream end", () => doneWith !== "not called");
    expect(doneWith).toBeNull();
    expect(events).toEqual([
      {
        type: "ERROR",
        obj: expect.objectContaining({ kind: "Status", status: "Failure", code: 410, reason: "Expired" }),
      },
    ]);
  });
});

describe("leases through CoordinationV1Api", () => {
  it("creates, renews, and answers 409 to an update with a stale resourceVersion", async () => {
    const leases = server.kubeConfig().makeApiClient(CoordinationV1Api);
    const body: V1Lease = {
      metadata: { name: "rollouts-notifier", namespace: "default" },
      spec: {
        holderIdentity: "pod-a",
        leaseDurationSeconds: 15,
        acquireTime: new Date(),
        renewTime: new Date(),
      },
    };
    const created = await leases.createNamespacedLease({ namespace: "default", body });
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.spec?.holderIdentity).toBe("pod-a");

    const renewed = await leases.replaceNamespacedLease({
      name: "rollouts-notifier",
      namespace: "default",
      body: { ...created, spec: { ...created.spec, renewTime: new Date() } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );

    const stale = leases.replaceNamespacedLease({
      name: "rollouts-notifier",
      namespace: "default",
      body: { ...created, spec: { ...created.spec, holderIdentity: "pod-b" } },
    });
    await expect(stale).rejects.toBeInstanceOf(ApiException);
    const err = (await stale.catch((e: unknown) => e)) as ApiException<string>;
    expect(err.code).toBe(409);
    expect(JSON.parse(err.body)).toMatchObject({ kind: "Status", reason: "Conflict", code: 409 });

    await expect(leases.createNamespacedLease({ namespace: "default", body })).rejects.toMatchObject({
      code: 409,
    });
    const read = await leases.readNamespacedLease({ name: "rollouts-notifier", namespace: "default" });
    expect(read.spec?.holderIdentity).toBe("pod-a");
  });

  it("sends the kubeconfig token; a wrong token gets 401", async () => {
    const kc = server.kubeConfig();
    const user = kc.getCurrentUser();
    if (user) (user as { token?: string }).token = "wrong";
    const leases = kc.makeApiClient(CoordinationV1Api);
    await expect(leases.listNamespacedLease({ namespace: "default" })).rejects.toMatchObject({ code: 401 });
  });
});
