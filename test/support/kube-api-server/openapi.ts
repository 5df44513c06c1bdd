// OpenAPI v3 as kubectl reads it: /openapi/v3 (index of group versions) and /openapi/v3/<api|apis/G/V>.
// kubectl's apply/create/patch first check there whether PATCH of the kind takes the `fieldValidation` query
// parameter; when it does, validation is left to the server (fieldValidation=Strict), which this server
// implements for custom resources through their CRD schemas. Custom resources get their CRD schema as a
// component (so `kubectl explain` works); built-in kinds get an open object schema.
import { loadFixtureCrds } from "./crd-schemas.ts";
import { groupVersions, resourcesOf, type ServedResource } from "./resources.ts";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions()) {
    const p = gvPath(group, version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${Buffer.from(p).toString("hex").slice(0, 32)}` };
  }
  return { paths };
}

function schemaName(r: ServedResource): string {
  const group = r.group ? r.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return `${group}.${r.version}.${r.kind}`;
}

const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));

function operation(r: ServedResource, verb: string, action: string, withBody: boolean): unknown {
  const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
  return {
    operationId: `${verb}${r.kind}`,
    parameters: QUERY_PARAMS,
    ...(withBody
      ? {
          requestBody: {
            content: Object.fromEntries(
              [
                "application/json",
                "application/merge-patch+json",
                "application/json-patch+json",
                "application/apply-patch+yaml",
              ].map((t) => [t, { schema: t === "application/json" ? ref : { type: "object" } }]),
            ),
            required: true,
          },
        }
      : {}),
    responses: { "200": { description: "OK", content: { "application/json": { schema: ref } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
  };
}

/** The OpenAPI v3 document of one group version, or undefined. */
export function openApiGroupVersion(path: string): unknown | undefined {
  const gv = groupVersions().find((g) => gvPath(g.group, g.version) === path);
  if (!gv) return undefined;
  const crds = loadFixtureCrds();
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of resourcesOf(gv.group, gv.version)) {
    const base = `/${path}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}`;
    paths[base] = { get: operation(r, "list", "list", false), post: operation(r, "create", "post", true) };
    const item = {
      get: operation(r, "read", "get", false),
      put: operation(r, "replace", "put", true),
      patch: operation(r, "patch", "patch", true),
      delete: operation(r, "delete", "delete", false),
    };
    paths[`${base}/{name}`] = item;
    if (r.statusSubresource) paths[`${base}/{name}/status`] = { ...item, delete: undefined };
    const crd = r.custom ? crds.get(r.kind) : undefined;
    schemas[schemaName(r)] = {
      ...(crd?.schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }),
      "x-kubernetes-group-version-kind": [{ group: r.group, version: r.version, kind: r.kind }],
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.4" },
    paths,
    components: { schemas },
  };
}
