// A Kubernetes API server stand-in for tests: real HTTP on 127.0.0.1, in-memory etcd-like store, the Argo
// Rollouts CRDs plus namespaces, configmaps, secrets and leases. kubectl and @kubernetes/client-node talk to
// it as to a real cluster. See README.md in this directory for the behaviour covered and the simplifications.

import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { dirname } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { freePort } from "../free-port.ts";
import { loadKubeconfig, writeKubeconfig } from "../kubeconfig.ts";
import { ApiObjects } from "./api-objects.ts";
import { AuthReviews } from "./auth-reviews.ts";
import { Faults } from "./faults.ts";
import { createRequestHandler } from "./http-handler.ts";
import { findResource } from "./resources.ts";
import { TestObjects } from "./test-objects.ts";
import { VersionedStore } from "./versioned-store.ts";

export type { AccessGrant, TestUser } from "./auth-reviews.ts";
export { AuthReviews } from "./auth-reviews.ts";
export type { PathMatcher, RecordedRequest } from "./faults.ts";
export { Faults } from "./faults.ts";
export { SERVED_RESOURCES, type ServedResource } from "./resources.ts";
export { KubeStatusError, type StatusObject } from "./status-errors.ts";
export { type ObjectRef, type PatchType, TestObjects } from "./test-objects.ts";

export interface KubeApiServerOptions {
  /** Bearer token of the kubeconfig user (default "test-token"); a request with another token gets 401. */
  token?: string;
  /** Answer 401 to token-less requests too (default false: kubectl sends no token over plain http). */
  requireToken?: boolean;
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms; 0 disables the timer). */
  bookmarkIntervalMs?: number;
  /** Watch history retained before automatic compaction (events; default 10000). */
  historyLimit?: number;
  /** Revision the store starts at (default 1): a "restarted" server can start above an old one's versions. */
  initialResourceVersion?: number;
  /** Namespaces created at start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
}

export interface KubeApiServer {
  url: string;
  port: number;
  token: string;
  /** Write/read cluster state directly (same store, same watch events). */
  objects: TestObjects;
  faults: Faults;
  /** Users (bearer tokens) and their RBAC grants, for TokenReview / SubjectAccessReview. */
  reviews: AuthReviews;
  store: VersionedStore;
  kubeconfigPath: string;
  /** A fresh client-node KubeConfig for this server. */
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new VersionedStore(
    opts.historyLimit === undefined ? {} : { historyLimit: opts.historyLimit },
  );
  const apiObjects = new ApiObjects(store);
  const faults = new Faults(store);
  const token = opts.token ?? "test-token";
  const reviews = new AuthReviews();
  const namespaceResource = findResource("Namespace")!;
  for (const name of opts.namespaces ?? ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    apiObjects.create(namespaceResource, undefined, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
  }
  let port = 0;
  const server: Server = createServer(
    createRequestHandler({
      objects: apiObjects,
      store,
      faults,
      token,
      requireToken: opts.requireToken ?? false,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
      hostPort: () => `127.0.0.1:${port}`,
      reviews,
    }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // freePort() can race with another process; retry on EADDRINUSE.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 5) throw err;
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = writeKubeconfig({ server: url, token });
  return {
    url,
    port,
    token,
    objects: new TestObjects(apiObjects),
    faults,
    reviews,
    store,
    kubeconfigPath: kubeconfig.path,
    kubeConfig: () => loadKubeconfig(kubeconfig.path),
    async stop() {
      faults.dropWatches({ abrupt: true });
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dirname(kubeconfig.path), { recursive: true, force: true });
    },
  };
}
