// The API test server serves every page of a paged LIST from a fresh sorted copy of the whole resource, so a
// list of 30,000 AnalysisRuns in pages of 500 copies 1.8 million objects — seconds of CPU in the benchmark
// process that a real kube-apiserver (paged etcd range reads, or the watch cache) never spends, and that would
// be charged to the service's start-up time. The benchmark keeps the last few snapshots (one per resource and
// revision, as every page of one list is read at the revision of its first page) and serves pages from them.
// Snapshots are immutable here: the server serializes list items and clones objects before writing them.
import type { KubeObject } from "../src/kube/objects.ts";
import type { KubeApiServer, ServedResource } from "../test/support/kube-api-server/index.ts";

const KEPT = 3;

export function cacheListSnapshots(api: KubeApiServer): void {
  const store = api.store;
  const original = store.snapshot.bind(store);
  const cache = new Map<string, KubeObject[]>();
  store.snapshot = (r: ServedResource, atRv?: number): KubeObject[] => {
    const rv = atRv ?? store.resourceVersion;
    const key = `${r.group}/${r.plural}@${rv}`;
    let snapshot = cache.get(key);
    if (!snapshot) {
      snapshot = original(r, rv);
      cache.set(key, snapshot);
      if (cache.size > KEPT) cache.delete(cache.keys().next().value!);
    }
    return snapshot;
  };
}
