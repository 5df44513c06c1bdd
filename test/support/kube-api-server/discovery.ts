// Discovery documents as a v1.32 API server serves them: /version, legacy discovery (/api, /api/v1, /apis,
// /apis/G/V) and aggregated discovery (apidiscovery.k8s.io/v2, asked for by kubectl through the Accept header).
import {
  apiVersionOf,
  groupVersions,
  resourcesOf,
  SERVED_RESOURCES,
  type ServedResource,
} from "./resources.ts";

export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean",
  buildDate: "2025-04-22T16:00:00Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

const VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];
const SUBRESOURCE_VERBS = ["get", "patch", "update"];

export const AGGREGATED_DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

export function legacyCoreVersions(hostPort: string): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: hostPort }],
  };
}

export function legacyGroupList(): unknown {
  const groups = groupVersions()
    .filter((gv) => gv.group !== "")
    .map((gv) => {
      const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
      return { name: gv.group, versions: [v], preferredVersion: v };
    });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function legacyGroup(group: string): unknown | undefined {
  const gv = groupVersions().find((g) => g.group === group && group !== "");
  if (!gv) return undefined;
  const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions: [v], preferredVersion: v };
}

export function resourceList(group: string, version: string): unknown | undefined {
  const served = resourcesOf(group, version);
  if (served.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const r of served) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.custom ? { categories: r.categories ?? [] } : {}),
    });
    if (r.statusSubresource) {
      resources.push({
        name: `${r.plural}/status`,
        singularName: "",
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: SUBRESOURCE_VERBS,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf(served[0]!), resources };
}

function discoveryResource(r: ServedResource): unknown {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: VERBS,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(r.statusSubresource
      ? {
          subresources: [
            {
              subresource: "status",
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              verbs: SUBRESOURCE_VERBS,
            },
          ],
        }
      : {}),
  };
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (core) or /apis (groups). */
export function aggregatedDiscovery(core: boolean): unknown {
  const items = groupVersions()
    .filter((gv) => (gv.group === "") === core)
    .map((gv) => ({
      metadata: core ? {} : { name: gv.group },
      versions: [
        {
          version: gv.version,
          resources: SERVED_RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version).map(
            discoveryResource,
          ),
          freshness: "Current",
        },
      ],
    }));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}

/** Whether the Accept header asks for aggregated discovery v2. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return (accept ?? "")
    .split(",")
    .some(
      (part) =>
        (part.includes("g=apidiscovery.k8s.io") && part.includes("v=v2;")) ||
        part.trim().endsWith("v=v2;as=APIGroupDiscoveryList"),
    );
}
