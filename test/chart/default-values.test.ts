// The chart with its default values plus an external Redis URL, rendered by the real helm (no values at all, with
// the embedded Redis: redis-modes.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectLeastPrivilege, ruleStrings } from "./rbac-checks.ts";
import {
  container,
  envOf,
  FULLNAME,
  find,
  findAll,
  helmTemplate,
  type Manifest,
  MINIMAL_VALUES,
  NAMESPACE,
  RELEASE,
  REPO_ROOT,
  renderChart,
  settingsEnvNames,
} from "./render-chart.ts";

const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding", "Namespace"]);
const CONFIG = {
  configMap: "argo-rollouts-notification-configmap",
  secret: "argo-rollouts-notification-secret",
};

describe("chart with default values", () => {
  let manifests: Manifest[];
  let deployment: Manifest;
  beforeAll(() => {
    manifests = renderChart(MINIMAL_VALUES);
    deployment = find(manifests, "Deployment", FULLNAME);
  });

  it("renders exactly the default set of objects", () => {
    const kinds = manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        `ClusterRole/${FULLNAME}`,
        `ClusterRoleBinding/${FULLNAME}`,
        `Deployment/${FULLNAME}`,
        `Pod/${FULLNAME}-test-readyz`,
        `PodDisruptionBudget/${FULLNAME}`,
        `Role/${FULLNAME}`,
        `RoleBinding/${FULLNAME}`,
        `Secret/${FULLNAME}-redis-url`,
        `Service/${FULLNAME}`,
        `ServiceAccount/${FULLNAME}`,
      ].sort(),
    );
  });

  it("puts standard labels on every object and namespaced objects in the release namespace", () => {
    for (const m of manifests) {
      const labels = m.metadata.labels;
      // The `helm test` Pod is named apart (like the Redis pods) so that the notifier Service, which selects
      // name + instance, never selects it.
      const name = m.kind === "Pod" ? "rollouts-notifier-test" : "rollouts-notifier";
      expect(labels["app.kubernetes.io/name"], m.kind).toBe(name);
      expect(labels["app.kubernetes.io/instance"], m.kind).toBe(RELEASE);
      expect(labels["app.kubernetes.io/managed-by"], m.kind).toBe("Helm");
      expect(labels["app.kubernetes.io/version"], m.kind).toBe("0.1.0");
      expect(labels["helm.sh/chart"], m.kind).toBe("rollouts-notifier-0.1.0");
      if (CLUSTER_SCOPED.has(m.kind)) expect(m.metadata.namespace).toBeUndefined();
      else expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it("chart appVersion and image tag follow package.json", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const chart = readFileSync(join(REPO_ROOT, "charts/rollouts-notifier/Chart.yaml"), "utf8");
    expect(chart).toMatch(new RegExp(`^appVersion: "${pkg.version.replaceAll(".", "\\.")}"$`, "m"));
    expect(chart).toMatch(/^apiVersion: v2$/m);
    expect(container(deployment).image).toMatch(new RegExp(`:${pkg.version.replaceAll(".", "\\.")}$`));
  });

  it("runs 2 replicas of mode `run`, rolling without dropping below the current count", () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container(deployment).args).toEqual(["run"]);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    // the selector matches the pod labels
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
  });

  it("sets the environment of docs/settings.md, with REDIS_URL from a Secret", () => {
    const settings = settingsEnvNames(readFileSync(join(REPO_ROOT, "docs/settings.md"), "utf8"));
    expect(settings).toContain("REDIS_URL");
    const env = envOf(container(deployment));
    // POD_NAME is the leader-election identity (src/cli/settings.ts), NODE_OPTIONS Node's own V8 heap flags
    // (nodeHeap, test/chart/node-heap.test.ts), MALLOC_* glibc's (malloc, same file); the rest is the documented
    // contract.
    const runtime = [
      "POD_NAME",
      "NODE_OPTIONS",
      "MALLOC_ARENA_MAX",
      "MALLOC_MMAP_THRESHOLD_",
      "MALLOC_TRIM_THRESHOLD_",
    ];
    for (const name of Object.keys(env)) expect([...settings, ...runtime]).toContain(name);
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
    expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
    expect(env.REDIS_URL).toEqual({ secretKeyRef: { name: `${FULLNAME}-redis-url`, key: "redis-url" } });
    expect(env).toMatchObject({
      NOTIFIER_CONFIGMAP: CONFIG.configMap,
      NOTIFIER_SECRET: CONFIG.secret,
      ANNOTATION_PREFIX: "notifications.argoproj.io",
      WORKER_CONCURRENCY: "32",
      LOG_LEVEL: "info",
      HTTP_PORT: "9090",
      LEASE_NAME: FULLNAME,
      ALLOW_PRIVATE_WEBHOOKS: "false",
    });
    // all namespaces, no selector: the variables are absent (not empty strings)
    expect(env).not.toHaveProperty("WATCH_NAMESPACES");
    expect(env).not.toHaveProperty("WATCH_SELECTOR");
    expect(env).not.toHaveProperty("KUBECONFIG");
    // the namespaces' share of the slots follows the concurrency unless set
    expect(env).not.toHaveProperty("TENANT_CONCURRENCY");
    const set = renderChart({ ...MINIMAL_VALUES, notifications: { tenantConcurrency: 3 } });
    expect(envOf(container(find(set, "Deployment", FULLNAME))).TENANT_CONCURRENCY).toBe("3");
  });

  it("keeps the Redis URL out of the Deployment and stores it in the Secret", () => {
    expect(JSON.stringify(deployment)).not.toContain("redis.example");
    const secret = find(manifests, "Secret", `${FULLNAME}-redis-url`);
    expect(Buffer.from(secret.data["redis-url"], "base64").toString()).toBe("redis://redis.example:6379");
    // a changed URL rolls the pods
    expect(deployment.spec.template.metadata.annotations["checksum/redis-url"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("runs with a restrictive securityContext", () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container(deployment).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    // read-only root: the only writable path is an emptyDir on /tmp
    expect(container(deployment).volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes[0]).toMatchObject({ name: "tmp", emptyDir: { medium: "Memory" } });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(true); // the pods talk to the API server…
    expect(find(manifests, "ServiceAccount").automountServiceAccountToken).toBe(false); // …nothing else does
  });

  it("probes /healthz (liveness) and /readyz (readiness) on the HTTP port the Service exposes", () => {
    const c = container(deployment);
    expect(c.ports).toEqual([{ name: "http", containerPort: 9090, protocol: "TCP" }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits.memory).toBeDefined();
    const svc = find(manifests, "Service", FULLNAME);
    expect(svc.spec.ports).toEqual([
      { name: "http-metrics", port: 9090, targetPort: "http", protocol: "TCP" },
    ]);
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
  });

  it("grants cluster-wide read of exactly what the watcher reads, Events and the console's reviews, and the Lease only in its namespace", () => {
    expectLeastPrivilege(manifests, CONFIG);
    expect(ruleStrings(find(manifests, "ClusterRole", FULLNAME))).toEqual([
      "argoproj.io/analysisruns:get,list,watch",
      "argoproj.io/experiments:get,list,watch",
      "argoproj.io/rollouts:get,list,watch",
      "authentication.k8s.io/tokenreviews:create",
      "authorization.k8s.io/subjectaccessreviews:create",
      `core/configmaps:get,list,watch[${CONFIG.configMap}]`,
      "core/events:create,patch",
      "core/namespaces:get,list,watch",
      `core/secrets:get,list,watch[${CONFIG.secret}]`,
    ]);
    expect(ruleStrings(find(manifests, "Role", FULLNAME))).toEqual([
      "coordination.k8s.io/leases:create",
      `coordination.k8s.io/leases:get,update[${FULLNAME}]`,
      `core/configmaps:get,list,watch[${CONFIG.configMap}]`,
      `core/secrets:get,list,watch[${CONFIG.secret}]`,
    ]);
    const crb = find(manifests, "ClusterRoleBinding");
    expect(crb.subjects).toEqual([{ kind: "ServiceAccount", name: FULLNAME, namespace: NAMESPACE }]);
    expect(find(manifests, "RoleBinding").roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: FULLNAME,
    });
  });

  it("has a PodDisruptionBudget keeping one notifier pod, and none for a single replica", () => {
    const pdb = find(manifests, "PodDisruptionBudget");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const single = renderChart({ ...MINIMAL_VALUES, replicaCount: 1 });
    expect(findAll(single, "PodDisruptionBudget")).toEqual([]);
    expect(find(single, "Deployment").spec.replicas).toBe(1);
  });

  it("fails with a clear message when the embedded Redis is off and no other is given, or two are given", () => {
    const none = helmTemplate({ redis: { embedded: { enabled: false } } });
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain(
      "redis.embedded.enabled=false needs an external Redis: set redis.url or redis.existingSecret",
    );
    const two = helmTemplate({ redis: { url: "redis://a:6379", existingSecret: "s" } });
    expect(two.status).not.toBe(0);
    expect(two.stderr).toContain("set only one of redis.url or redis.existingSecret");
  });

  it("honours nameOverride and fullnameOverride", () => {
    const named = renderChart({ ...MINIMAL_VALUES, nameOverride: "notify" });
    expect(find(named, "Deployment").metadata.name).toBe(`${RELEASE}-notify`);
    expect(find(named, "Deployment").metadata.labels["app.kubernetes.io/name"]).toBe("notify");
    const full = renderChart({ ...MINIMAL_VALUES, fullnameOverride: "alerts" });
    expect(find(full, "Deployment").metadata.name).toBe("alerts");
    expect(find(full, "ClusterRole").metadata.name).toBe("alerts");
    expect(envOf(container(find(full, "Deployment"))).LEASE_NAME).toBe("alerts");
  });
});
