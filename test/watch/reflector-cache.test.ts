// The Reflector's cache against the Kubernetes API test server: get/list/listIn and emitted events carry
// the complete trimmed objects, through the initial list, watch updates, deletions and a 410 relist.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { Reflector, type ReflectorEvent } from "../../src/watch/reflector.ts";
import { ANALYSIS_RUNS, EXPERIMENTS } from "../../src/watch/resources.ts";
import { trimObject } from "../../src/watch/trim.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { eventually, silentLogger } from "./watcher-harness.ts";

const fixture = (path: string) => parse(readFileSync(`${ARGO_FIXTURES_DIR}/${path}`, "utf8")) as KubeObject;

function run(namespace: string, name: string): KubeObject {
  const r = fixture("experiment-analysis/canary-analysis.yaml");
  delete r.metadata.resourceVersion;
  return { ...r, metadata: { ...r.metadata, namespace, name, uid: `uid-${namespace}-${name}` } };
}

/** What the server holds, as the Reflector should cache it. */
function expected(api: KubeApiServer, namespace: string, name: string): KubeObject {
  return trimObject(api.objects.get({ kind: "AnalysisRun", namespace, name }));
}

describe("Reflector cache", () => {
  let api: KubeApiServer | undefined;
  let reflector: Reflector | undefined;
  afterEach(async () => {
    reflector?.stop();
    await api?.stop();
  });

  it("serves complete objects through list, watch updates, deletions and a relist", async () => {
    api = await startKubeApiServer({ namespaces: ["team-a", "team-b"] });
    api.objects.load(run("team-a", "r1"));
    api.objects.load(run("team-a", "r2"));
    api.objects.load(run("team-b", "r1"));
    const events: ReflectorEvent[] = [];
    reflector = new Reflector({
      kc: api.kubeConfig(),
      resource: ANALYSIS_RUNS,
      logger: silentLogger,
      pageSize: 2,
      onEvent: (e) => events.push(e),
    });
    reflector.start();
    await reflector.synced;

    expect(events.map((e) => [e.type, e.object.metadata.name, e.initial])).toEqual([
      ["LISTED", "r1", true],
      ["LISTED", "r2", true],
      ["LISTED", "r1", true],
    ]);
    expect(events[0]!.object).toEqual(expected(api, "team-a", "r1"));
    expect(reflector.get("team-a", "r2")).toEqual(expected(api, "team-a", "r2"));
    expect(reflector.get("team-a", "nope")).toBeUndefined();
    expect(reflector.listIn("team-a").map((o) => o.metadata.name)).toEqual(["r1", "r2"]);
    expect(reflector.listIn("team-b")).toEqual([expected(api, "team-b", "r1")]);
    expect(reflector.list()).toHaveLength(3);

    api.objects.patchStatus(
      { kind: "AnalysisRun", namespace: "team-a", name: "r1" },
      { status: { phase: "Failed", message: "metric failed" } },
    );
    await eventually(() => reflector!.get("team-a", "r1")?.status?.phase === "Failed", 5_000, "MODIFIED");
    expect(reflector.get("team-a", "r1")).toEqual(expected(api, "team-a", "r1"));
    expect(events.at(-1)!.type).toBe("MODIFIED");
    expect(events.at(-1)!.object).toEqual(expected(api, "team-a", "r1"));

    api.objects.delete({ kind: "AnalysisRun", namespace: "team-b", name: "r1" });
    await eventually(() => reflector!.listIn("team-b").length === 0, 5_000, "DELETED");
    expect(events.at(-1)).toMatchObject({ type: "DELETED", object: { metadata: { name: "r1" } } });

    // 410 Expired: relists re-emit the cache as LISTED; a run gone from the list is emitted as DELETED
    events.length = 0;
    api.faults.expireNextWatches();
    api.faults.dropWatches();
    await eventually(() => events.some((e) => e.type === "LISTED"), 5_000, "relist");
    api.objects.delete({ kind: "AnalysisRun", namespace: "team-a", name: "r2" });
    await eventually(() => reflector!.get("team-a", "r2") === undefined, 5_000, "relist without r2");
    api.faults.clear();
    expect(events.find((e) => e.type === "DELETED")?.object.metadata.name).toBe("r2");
    expect(events.find((e) => e.type === "LISTED")?.object).toEqual(expected(api, "team-a", "r1"));

    // the periodic resync re-emits complete objects
    reflector.stop();
    events.length = 0;
    reflector = new Reflector({
      kc: api.kubeConfig(),
      resource: ANALYSIS_RUNS,
      logger: silentLogger,
      resyncMs: 50,
      onEvent: (e) => events.push(e),
    });
    reflector.start();
    await reflector.synced;
    await eventually(() => events.some((e) => !e.initial && e.type === "LISTED"), 5_000, "resync");
    const resynced = events
      .filter((e) => !e.initial && e.type === "LISTED")
      .slice(0, 1)
      .map((e) => e.object);
    expect(resynced).toEqual([expected(api, "team-a", "r1")]);
  });

  it("indexes objects by owner uid (indexOwners) through list, owner changes, updates, deletions and a relist", async () => {
    api = await startKubeApiServer({ namespaces: ["team-a", "team-b"] });
    const owned = (namespace: string, name: string, ownerUid: string): KubeObject => {
      const r = run(namespace, name);
      return {
        ...r,
        metadata: {
          ...r.metadata,
          ownerReferences: [
            { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "ro", uid: ownerUid },
          ],
        },
      };
    };
    api.objects.load(owned("team-a", "r1", "rollout-1"));
    api.objects.load(owned("team-a", "r2", "rollout-1"));
    api.objects.load(owned("team-a", "r3", "rollout-2"));
    api.objects.load(owned("team-b", "r1", "rollout-3"));
    reflector = new Reflector({
      kc: api.kubeConfig(),
      resource: ANALYSIS_RUNS,
      logger: silentLogger,
      indexOwners: true,
      onEvent: () => {},
    });
    reflector.start();
    await reflector.synced;
    const names = (ns: string, uid: string) =>
      reflector!
        .listOwnedBy(ns, uid)
        .map((o) => o.metadata.name)
        .sort();
    // the index answers what a scan of the namespace would
    const scan = (ns: string, uid: string) =>
      reflector!
        .listIn(ns)
        .filter((o) => o.metadata.ownerReferences?.some((ref) => ref.uid === uid))
        .map((o) => o.metadata.name)
        .sort();
    const agrees = () => {
      for (const ns of ["team-a", "team-b"]) {
        for (const uid of ["rollout-1", "rollout-2", "rollout-3", "rollout-4"])
          expect(names(ns, uid)).toEqual(scan(ns, uid));
      }
    };
    expect(names("team-a", "rollout-1")).toEqual(["r1", "r2"]);
    expect(names("team-a", "rollout-2")).toEqual(["r3"]);
    expect(names("team-b", "rollout-3")).toEqual(["r1"]);
    expect(names("team-b", "rollout-1")).toEqual([]);
    agrees();

    // a status update replaces the indexed object (the index serves the new one)
    api.objects.patchStatus(
      { kind: "AnalysisRun", namespace: "team-a", name: "r1" },
      { status: { phase: "Failed" } },
    );
    await eventually(() => reflector!.get("team-a", "r1")?.status?.phase === "Failed", 5_000, "MODIFIED");
    expect(
      reflector.listOwnedBy("team-a", "rollout-1").find((o) => o.metadata.name === "r1")?.status?.phase,
    ).toBe("Failed");
    expect(reflector.listOwnedBy("team-a", "rollout-1")).toHaveLength(2);

    // the owner changes: the run moves from one owner's entry to the other's
    api.objects.patch(
      { kind: "AnalysisRun", namespace: "team-a", name: "r2" },
      {
        metadata: {
          ownerReferences: [
            { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "ro", uid: "rollout-4" },
          ],
        },
      },
    );
    await eventually(() => names("team-a", "rollout-4").length === 1, 5_000, "owner change");
    expect(names("team-a", "rollout-1")).toEqual(["r1"]);
    agrees();

    api.objects.delete({ kind: "AnalysisRun", namespace: "team-a", name: "r3" });
    await eventually(() => reflector!.get("team-a", "r3") === undefined, 5_000, "DELETED");
    expect(names("team-a", "rollout-2")).toEqual([]);
    agrees();

    // a relist that misses a deletion removes it from the index too
    api.faults.expireNextWatches();
    api.faults.dropWatches();
    api.objects.delete({ kind: "AnalysisRun", namespace: "team-b", name: "r1" });
    await eventually(() => reflector!.get("team-b", "r1") === undefined, 5_000, "relist without team-b/r1");
    api.faults.clear();
    expect(names("team-b", "rollout-3")).toEqual([]);
    agrees();
  });

  it("caches Experiments as metadata (ownerReferences) only", async () => {
    api = await startKubeApiServer({ namespaces: ["jesse-test"] });
    const exp = fixture("experiment-analysis/experiment.yaml");
    delete exp.metadata.resourceVersion;
    api.objects.load(exp);
    reflector = new Reflector({
      kc: api.kubeConfig(),
      resource: EXPERIMENTS,
      logger: silentLogger,
      onEvent: () => {},
    });
    reflector.start();
    await reflector.synced;
    const cached = reflector.get(exp.metadata.namespace, exp.metadata.name);
    expect(cached?.metadata.ownerReferences).toEqual(exp.metadata.ownerReferences);
    expect(cached?.spec).toBeUndefined();
    expect(cached?.status).toBeUndefined();
  });

  it("emits a list in batches, waiting for the consumer's drain between them; the cache and events are unchanged", async () => {
    api = await startKubeApiServer({ namespaces: ["team-a"] });
    for (let i = 0; i < 7; i++) api.objects.load(run("team-a", `r${i}`));
    const events: string[] = [];
    const drains: (() => void)[] = [];
    reflector = new Reflector({
      kc: api.kubeConfig(),
      resource: ANALYSIS_RUNS,
      logger: silentLogger,
      pageSize: 2,
      listBatch: 3,
      onEvent: (e) => events.push(`${e.type} ${e.object.metadata.name}`),
      drain: () => new Promise<void>((resolve) => drains.push(resolve)),
    });
    reflector.start();
    await eventually(() => drains.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toHaveLength(3); // nothing more until the consumer has drained
    drains[0]!();
    await eventually(() => drains.length === 2);
    expect(events).toHaveLength(6);
    expect(reflector.isSynced).toBe(false);
    drains[1]!();
    await reflector.synced;
    expect(events).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `LISTED r${i}`));
    expect(reflector.listIn("team-a")).toHaveLength(7);
  });
});
