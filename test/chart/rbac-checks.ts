// Invariants every rendering of the chart's RBAC must keep, whatever the values.
import { expect } from "vitest";
import { findAll, type Manifest } from "./render-chart.ts";

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const READ = ["get", "list", "watch"];

export function rulesOf(role: Manifest): Rule[] {
  return role.rules as Rule[];
}

/**
 * No wildcard anywhere, no write verb except on the Lease, the console's reviews (create tokenreviews and
 * subjectaccessreviews, cluster-scoped) and Events on watched Rollouts (create, patch), and config reads only by
 * name.
 */
export function expectLeastPrivilege(manifests: Manifest[], config: { configMap: string; secret: string }) {
  const [hookObjects, releaseObjects] = splitRedisPasswordInit(manifests);
  expectRedisPasswordInitPrivilege(hookObjects);
  manifests = releaseObjects;
  const roles = [...findAll(manifests, "ClusterRole"), ...findAll(manifests, "Role")];
  expect(roles.length).toBeGreaterThan(0);
  for (const role of roles) {
    for (const rule of rulesOf(role)) {
      const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
      for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames ?? []]) {
        expect(field, where).not.toContain("*");
      }
      expect((rule as { nonResourceURLs?: unknown }).nonResourceURLs, where).toBeUndefined();
      if (rule.resources.includes("leases")) {
        expect(role.kind, where).toBe("Role");
        expect(rule.apiGroups, where).toEqual(["coordination.k8s.io"]);
        expect(rule.resources, where).toEqual(["leases"]);
        for (const v of rule.verbs) expect(["get", "create", "update"], where).toContain(v);
      } else if (rule.resources.includes("tokenreviews") || rule.resources.includes("subjectaccessreviews")) {
        expect(role.kind, where).toBe("ClusterRole");
        expect(rule.resources, where).toHaveLength(1);
        expect(rule.apiGroups, where).toEqual([
          rule.resources[0] === "tokenreviews" ? "authentication.k8s.io" : "authorization.k8s.io",
        ]);
        expect(rule.verbs, where).toEqual(["create"]);
      } else if (rule.resources.includes("events")) {
        expect(rule.apiGroups, where).toEqual([""]);
        expect(rule.resources, where).toEqual(["events"]);
        expect(rule.resourceNames, where).toBeUndefined();
        expect(rule.verbs, where).toEqual(["create", "patch"]);
      } else {
        for (const v of rule.verbs) expect(READ, where).toContain(v);
      }
      if (rule.resources.includes("configmaps")) {
        expect(rule.resources, where).toEqual(["configmaps"]);
        expect(rule.resourceNames, where).toEqual([config.configMap]);
      }
      if (rule.resources.includes("secrets")) {
        expect(rule.resources, where).toEqual(["secrets"]);
        expect(rule.resourceNames, where).toEqual([config.secret]);
      }
      for (const r of rule.resources) {
        expect(
          [
            "namespaces",
            "configmaps",
            "secrets",
            "rollouts",
            "analysisruns",
            "experiments",
            "leases",
            "events",
            "tokenreviews",
            "subjectaccessreviews",
          ],
          where,
        ).toContain(r);
      }
    }
  }
  // Every binding points at a role of this release and at this release's ServiceAccount only.
  const roleNames = new Set(roles.map((r) => `${r.kind}/${r.metadata.name}`));
  const sa = findAll(manifests, "ServiceAccount")[0];
  for (const b of [...findAll(manifests, "ClusterRoleBinding"), ...findAll(manifests, "RoleBinding")]) {
    expect(roleNames, `${b.kind}/${b.metadata.name}`).toContain(`${b.roleRef.kind}/${b.roleRef.name}`);
    expect(b.subjects).toHaveLength(1);
    expect(b.subjects[0].kind).toBe("ServiceAccount");
    if (sa) expect(b.subjects[0].name).toBe(sa.metadata.name);
  }
}

/** The rules as "group/resource:verbs[names]" strings, sorted, for exact comparisons. */
export function ruleStrings(role: Manifest): string[] {
  return rulesOf(role)
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.map(
          (res) =>
            `${g || "core"}/${res}:${r.verbs.join(",")}${r.resourceNames ? `[${r.resourceNames.join(",")}]` : ""}`,
        ),
      ),
    )
    .sort();
}

const REDIS_PASSWORD_INIT = "redis-password-init";
const isRedisPasswordInit = (m: Manifest) =>
  m.metadata?.labels?.["app.kubernetes.io/component"] === REDIS_PASSWORD_INIT;

/** The embedded Redis' password hook objects (ServiceAccount, Role, RoleBinding, Job) and the rest. */
export function splitRedisPasswordInit(manifests: Manifest[]): [Manifest[], Manifest[]] {
  return [manifests.filter(isRedisPasswordInit), manifests.filter((m) => !isRedisPasswordInit(m))];
}

/**
 * The hook that creates the embedded Redis' password Secret, when rendered: its Role may get only that Secret
 * (by name) and create Secrets (create cannot be narrowed by name), nothing else, bound to its own
 * ServiceAccount only, which only its Job uses.
 */
export function expectRedisPasswordInitPrivilege(hookObjects: Manifest[]): void {
  if (hookObjects.length === 0) return;
  expect(hookObjects.map((m) => m.kind).sort()).toEqual(["Job", "Role", "RoleBinding", "ServiceAccount"]);
  const [job, role, binding, sa] = ["Job", "Role", "RoleBinding", "ServiceAccount"].map(
    (kind) => findAll(hookObjects, kind)[0] as Manifest,
  ) as [Manifest, Manifest, Manifest, Manifest];
  const args = job.spec.template.spec.containers[0].args as string[];
  const secret = args[args.indexOf("--secret") + 1];
  expect(ruleStrings(role)).toEqual(["core/secrets:create", `core/secrets:get[${secret}]`]);
  expect(binding.roleRef).toEqual({
    apiGroup: "rbac.authorization.k8s.io",
    kind: "Role",
    name: role.metadata.name,
  });
  expect(binding.subjects).toEqual([
    { kind: "ServiceAccount", name: sa.metadata.name, namespace: sa.metadata.namespace },
  ]);
  expect(job.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
}
