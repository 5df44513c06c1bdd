// The rendered manifests, validated without a cluster.
//
// What works offline (kubectl 1.33 from the same package as helm, KUBECONFIG=/dev/null):
// - `kubectl apply|create --dry-run=client` do not: they need API discovery (and --validate needs the server's
//   OpenAPI), so they fail with "connection refused" before looking at the manifests.
// - `kubectl label --local -f -` parses every document into an object (apiVersion/kind/metadata).
// - `kubectl set env --local` and `kubectl set subject --local` decode into the typed Go structs of workloads and
//   RBAC bindings, so a wrongly typed field (replicas: "2", runAsUser: "x") fails as it would on the server;
//   they do not report unknown fields.
// Unknown fields and types of every built-in kind are checked against the API types generated into
// @kubernetes/client-node (kube-schema-validator.ts).
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { kubectlBinary } from "../support/helm.ts";
import { isBuiltinKind, validateManifest } from "./kube-schema-validator.ts";
import { type Manifest, renderChart, renderChartDocuments } from "./render-chart.ts";
import { VALUE_SETS } from "./value-sets.ts";

/** Runs kubectl over YAML documents (helm's own text, or stringified with YAML 1.1 quoting as Go reads it). */
function kubectl(args: string[], documents: (Manifest | string)[]): { status: number; out: string } {
  const yaml = documents.map((d) => (typeof d === "string" ? d : stringify(d, { version: "1.1" })));
  try {
    const out = execFileSync(kubectlBinary(), args, {
      input: yaml.join("---\n"),
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", KUBECONFIG: "/dev/null", HOME: "/nonexistent" },
    });
    return { status: 0, out };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const WORKLOADS = new Set(["Deployment", "StatefulSet"]);
const BINDINGS = new Set(["RoleBinding", "ClusterRoleBinding"]);

describe.each(Object.entries(VALUE_SETS))("rendered manifests (%s)", (_name, values) => {
  const documents = renderChartDocuments(values);
  const manifests = documents.map((d) => d.manifest);
  const yamlOf = (kinds: Set<string>) =>
    documents.filter((d) => kinds.has(d.manifest.kind)).map((d) => d.yaml);

  it("match the Kubernetes API types field by field", () => {
    const problems = manifests
      .filter((m) => isBuiltinKind(m.apiVersion, m.kind))
      .flatMap((m) => validateManifest(m));
    expect(problems).toEqual([]);
  });

  it("are only built-in kinds, or the Prometheus Operator's monitoring.coreos.com/v1", () => {
    for (const m of manifests) {
      if (isBuiltinKind(m.apiVersion, m.kind)) continue;
      expect(m.apiVersion, m.kind).toBe("monitoring.coreos.com/v1");
      expect(["ServiceMonitor", "PrometheusRule"]).toContain(m.kind);
      expect(Object.keys(m).sort()).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    }
  });

  it("are accepted by kubectl's offline decoders", () => {
    const all = kubectl(
      ["label", "--local", "-f", "-", "-o", "name", "validated=true"],
      documents.map((d) => d.yaml),
    );
    expect(all.status, all.out).toBe(0);
    expect(all.out.trim().split("\n")).toHaveLength(manifests.length);

    const typed = kubectl(
      ["set", "env", "--local", "-f", "-", "-o", "name", "VALIDATED=1"],
      yamlOf(WORKLOADS),
    );
    expect(typed.status, typed.out).toBe(0);

    const rbac = kubectl(
      ["set", "subject", "--local", "-f", "-", "-o", "name", "--user=validated"],
      yamlOf(BINDINGS),
    );
    expect(rbac.status, rbac.out).toBe(0);
  });
});

describe("the offline validators catch mistakes (so a green run means something)", () => {
  const deployment = renderChart(VALUE_SETS.defaults).find((m) => m.kind === "Deployment")!;

  it("client-node API types: unknown fields and wrong types", () => {
    const bad = structuredClone(deployment);
    bad.spec.replica = 2;
    bad.spec.template.spec.containers[0].securityContext.runAsUser = "10001";
    bad.spec.template.spec.containers[0].ports[0].containerPort = 90.5;
    const where = `Deployment/${bad.metadata.name}`;
    expect(validateManifest(bad).sort()).toEqual(
      [
        `${where}: spec.replica: unknown field (not in V1DeploymentSpec)`,
        `${where}: spec.template.spec.containers[0].ports[0].containerPort: expected an integer`,
        `${where}: spec.template.spec.containers[0].securityContext.runAsUser: expected a number, got "10001"`,
      ].sort(),
    );
  });

  it("kubectl typed decode: a wrongly typed field", () => {
    const bad = structuredClone(deployment);
    bad.spec.replicas = "2";
    const res = kubectl(["set", "env", "--local", "-f", "-", "-o", "name", "X=1"], [bad]);
    expect(res.status).not.toBe(0);
    expect(res.out).toContain("spec.replicas");
  });
});
