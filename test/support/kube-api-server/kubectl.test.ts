// The real kubectl is the witness that the test API server behaves like a cluster.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { ARGO_FIXTURES_DIR } from "./crd-schemas.ts";
import { type KubeApiServer, startKubeApiServer } from "./index.ts";
import { waitFor } from "./wait-for.ts";

const run = promisify(execFile);
let server: KubeApiServer;
let dir: string;

beforeAll(async () => {
  server = await startKubeApiServer();
  dir = mkdtempSync(join(tmpdir(), "rn-kubectl-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function kubectlArgs(args: string[]): string[] {
  return ["--kubeconfig", server.kubeconfigPath, "--cache-dir", join(dir, "cache"), ...args];
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run("kubectl", kubectlArgs(args), { env: { ...process.env, HOME: dir } });
  return stdout;
}

async function kubectlFails(...args: string[]): Promise<string> {
  try {
    await run("kubectl", kubectlArgs(args), { env: { ...process.env, HOME: dir } });
  } catch (err) {
    return (err as { stderr: string }).stderr;
  }
  throw new Error(`kubectl ${args.join(" ")} succeeded`);
}

/**
 * A fixture as a user would apply it: without the server-set metadata a controller's dump carries (and without
 * the `creationTimestamp: null` Go puts in pod template metadata, which the CRD schema does not declare).
 */
function fixtureForApply(relPath: string): KubeObject {
  const obj = parseYaml(readFileSync(join(ARGO_FIXTURES_DIR, relPath), "utf8")) as KubeObject;
  const template = (obj.spec?.template as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  if (template) delete template.creationTimestamp;
  const {
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    ...metadata
  } = obj.metadata as KubeObject["metadata"] & { selfLink?: string };
  delete (metadata as { selfLink?: string }).selfLink;
  return { ...obj, metadata };
}

describe("kubectl against the test API server", () => {
  it("creates a namespace, applies a Rollout fixture twice (create, then update), gets it with -A -o json", async () => {
    expect(await kubectl("create", "namespace", "jesse-test")).toContain("namespace/jesse-test created");
    const manifest = fixtureForApply("canary/canary-rollout.yaml");
    const file = join(dir, "rollout.yaml");
    writeFileSync(file, toYaml(manifest));
    expect(await kubectl("apply", "-f", file)).toContain("rollout.argoproj.io/canary-demo created");

    const created = server.objects.get({ kind: "Rollout", namespace: "jesse-test", name: "canary-demo" });
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined(); // create cannot set status of a CR with a status subresource
    expect(created.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toBeDefined();

    writeFileSync(file, toYaml({ ...manifest, spec: { ...manifest.spec, replicas: 2 } }));
    expect(await kubectl("apply", "-f", file)).toContain("rollout.argoproj.io/canary-demo configured");
    const updated = server.objects.get({ kind: "Rollout", namespace: "jesse-test", name: "canary-demo" });
    expect(updated.spec?.replicas).toBe(2);
    expect(updated.metadata.generation).toBe(2);
    expect(updated.metadata.uid).toBe(created.metadata.uid);

    const list = JSON.parse(await kubectl("get", "rollouts", "-A", "-o", "json")) as { items: KubeObject[] };
    expect(list.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "jesse-test/canary-demo",
    ]);
    expect(list.items[0]!.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    // server-side printing with the CRD's printer columns
    expect(await kubectl("get", "ro", "-n", "jesse-test")).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/,
    );
  });

  it("patches with --type merge and --type json, and the status subresource", async () => {
    const ref = { kind: "Rollout", namespace: "patching", name: "p" };
    server.objects.create({
      ...fixtureForApply("canary/canary-rollout.yaml"),
      metadata: { name: "p", namespace: "patching" },
    });
    await kubectl(
      "patch",
      "rollout",
      "p",
      "-n",
      "patching",
      "--type",
      "merge",
      "-p",
      '{"spec":{"replicas":4}}',
    );
    expect(server.objects.get(ref).spec?.replicas).toBe(4);
    await kubectl(
      "patch",
      "rollout",
      "p",
      "-n",
      "patching",
      "--type",
      "json",
      "-p",
      '[{"op":"replace","path":"/spec/replicas","value":6}]',
    );
    expect(server.objects.get(ref).spec?.replicas).toBe(6);
    expect(server.objects.get(ref).metadata.generation).toBe(3);

    const statusPatch = '{"status":{"phase":"Paused","message":"CanaryPauseStep"}}';
    await kubectl(
      "patch",
      "rollout",
      "p",
      "-n",
      "patching",
      "--subresource=status",
      "--type",
      "merge",
      "-p",
      statusPatch,
    );
    const afterStatus = server.objects.get(ref);
    expect(afterStatus.status).toEqual({ phase: "Paused", message: "CanaryPauseStep" });
    expect(afterStatus.metadata.generation).toBe(3); // status writes do not bump generation

    // strategic merge patch is refused for custom resources, as by a real server
    expect(
      await kubectlFails("patch", "rollout", "p", "-n", "patching", "-p", '{"spec":{"replicas":1}}'),
    ).toContain("application/strategic-merge-patch+json is not supported");
  });

  it("streams `kubectl get rollouts -w -o json` updates made through the API and sees `kubectl delete`", async () => {
    server.objects.create({
      ...fixtureForApply("canary/canary-rollout.yaml"),
      metadata: { name: "w", namespace: "watching" },
    });
    const child: ChildProcess = spawn(
      "kubectl",
      kubectlArgs(["get", "rollouts", "-n", "watching", "-w", "-o", "json"]),
      {
        env: { ...process.env, HOME: dir },
      },
    );
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      const objects = () => splitJsonObjects(out) as KubeObject[];
      await waitFor("initial object", () => objects().length >= 1);
      await waitFor("watch open", () => server.faults.openWatchCount > 0);
      server.objects.patch({ kind: "Rollout", namespace: "watching", name: "w" }, { spec: { replicas: 9 } });
      await waitFor("update", () => objects().some((o) => o.spec?.replicas === 9));

      expect(await kubectl("delete", "rollout", "w", "-n", "watching")).toContain(
        'rollout.argoproj.io "w" deleted',
      );
      expect(server.objects.tryGet({ kind: "Rollout", namespace: "watching", name: "w" })).toBeUndefined();
      // kubectl -w prints the deleted object as well
      await waitFor("deleted object printed", () => objects().length >= 3);
    } finally {
      child.kill();
    }
  });

  it("gets configmaps created through the programmatic API and by kubectl create", async () => {
    server.objects.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" },
      data: { "trigger.on-rollout-completed": "- send: [rollout-completed]" },
    });
    const cm = JSON.parse(
      await kubectl(
        "get",
        "configmap",
        "argo-rollouts-notification-configmap",
        "-n",
        "argo-rollouts",
        "-o",
        "json",
      ),
    ) as KubeObject;
    expect(cm.data).toEqual({ "trigger.on-rollout-completed": "- send: [rollout-completed]" });
    expect(
      await kubectl("create", "configmap", "made-by-kubectl", "-n", "argo-rollouts", "--from-literal=k=v"),
    ).toContain("configmap/made-by-kubectl created");
    expect(
      server.objects.get({ kind: "ConfigMap", namespace: "argo-rollouts", name: "made-by-kubectl" }).data,
    ).toEqual({
      k: "v",
    });
    expect(await kubectl("get", "configmaps", "-n", "argo-rollouts", "-o", "name")).toBe(
      "configmap/argo-rollouts-notification-configmap\nconfigmap/made-by-kubectl\n",
    );
    expect(await kubectl("get", "configmaps", "-n", "argo-rollouts")).toMatch(
      /^NAME\s+DATA\s+AGE\nargo-rollouts-notification-configmap\s+1\s+\d+s\n/,
    );
    expect(await kubectlFails("get", "configmap", "nope", "-n", "argo-rollouts")).toContain(
      'Error from server (NotFound): configmaps "nope" not found',
    );
  });

  it("refuses to create into a missing namespace and to create twice", async () => {
    const file = join(dir, "orphan.yaml");
    writeFileSync(
      file,
      toYaml({
        ...fixtureForApply("canary/canary-rollout.yaml"),
        metadata: { name: "o", namespace: "missing" },
      }),
    );
    expect(await kubectlFails("create", "-f", file)).toContain('namespaces "missing" not found');
    await kubectl("create", "namespace", "missing");
    await kubectl("create", "-f", file);
    expect(await kubectlFails("create", "-f", file)).toContain("AlreadyExists");
  });
});

/** Splits kubectl's stream of pretty-printed JSON documents. */
function splitJsonObjects(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "}") {
      depth--;
      if (depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return docs;
}
