// The embedded Redis' password (redis.embedded.auth): a Secret the chart generates (kept across upgrades through
// `lookup`, proved against the test API server) or the user's; Redis started with --requirepass from it, probes
// authenticating with REDISCLI_AUTH, the notifier given REDIS_PASSWORD; the password never in plain text outside
// the Secret. The rendered Redis command and probes are run against a real redis-server, and the notifier's own
// settings + connection code connect with the rendered environment.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRedisSettings } from "../../src/cli/settings.ts";
import { createRedisClient } from "../../src/redis/redis-connection.ts";
import { freePort } from "../support/free-port.ts";
import { runHelmAsync } from "../support/helm.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import {
  CHART_DIR,
  container,
  envOf,
  FULLNAME,
  find,
  findAll,
  helmTemplate,
  helmWithValues,
  type Manifest,
  NAMESPACE,
  parseManifests,
  RELEASE,
  renderChart,
} from "./render-chart.ts";

const REDIS_NAME = `${FULLNAME}-redis`;
const AUTH_SECRET = `${FULLNAME}-redis-auth`;
const URL_SECRET = `${FULLNAME}-redis-url`;

const redisContainer = (manifests: Manifest[]) => container(find(manifests, "StatefulSet", REDIS_NAME));
const notifierDeployments = (manifests: Manifest[]) => findAll(manifests, "Deployment");
const decoded = (b64: string) => Buffer.from(b64, "base64").toString();
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** NOTES.txt as `helm install --dry-run=client` prints it. */
function notes(values: unknown): string {
  const res = helmWithValues(
    ["install", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "--dry-run=client"],
    values,
  );
  if (res.status !== 0) throw new Error(`helm install --dry-run failed (${res.status}):\n${res.stderr}`);
  return res.stdout.slice(res.stdout.indexOf("\nNOTES:\n"));
}

/** Every string in a container's command and args. */
const commandLine = (c: Manifest): string[] => [...(c.command ?? []), ...(c.args ?? [])];
/** Every exec probe's command of a container. */
const probeCommands = (c: Manifest): string[][] =>
  [c.livenessProbe, c.readinessProbe, c.startupProbe].filter((p) => p?.exec).map((p) => p.exec.command);

describe("no values: the embedded Redis requires a generated password", () => {
  const manifests = renderChart({});
  const secret = find(manifests, "Secret", AUTH_SECRET);
  const password = decoded(secret.data["redis-password"]);
  const secretRef = { secretKeyRef: { name: AUTH_SECRET, key: "redis-password" } };

  it("renders a Secret with a random 32-character alphanumeric password", () => {
    expect(secret.type).toBe("Opaque");
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret.metadata.labels["app.kubernetes.io/instance"]).toBe(RELEASE);
    // another render (no cluster to look the Secret up in) draws another one: randomness, not a constant
    expect(decoded(find(renderChart({}), "Secret", AUTH_SECRET).data["redis-password"])).not.toBe(password);
  });

  it("starts Redis with --requirepass $(REDIS_PASSWORD), REDIS_PASSWORD and REDISCLI_AUTH from the Secret", () => {
    const c = redisContainer(manifests);
    const args = c.args as string[];
    expect(args[args.indexOf("--requirepass") + 1]).toBe("$(REDIS_PASSWORD)");
    expect(envOf(c)).toEqual({ REDIS_PASSWORD: secretRef, REDISCLI_AUTH: secretRef });
  });

  it("probes with redis-cli and never pass a password on a command line", () => {
    const c = redisContainer(manifests);
    const probes = probeCommands(c);
    expect(probes).toHaveLength(2);
    for (const command of probes) {
      expect(command.join(" ")).toContain("redis-cli ping");
      expect(command.join(" ")).not.toMatch(/\s-a\s|--pass|--user/);
    }
  });

  it("gives every notifier Deployment REDIS_PASSWORD from the Secret, and a REDIS_URL without credentials", () => {
    const withWorker = renderChart({ worker: { enabled: true } });
    for (const rendered of [manifests, withWorker]) {
      const deployments = notifierDeployments(rendered);
      expect(deployments.length).toBeGreaterThan(0);
      for (const d of deployments) {
        expect(envOf(container(d)).REDIS_PASSWORD, d.metadata.name).toEqual(secretRef);
      }
      const url = new URL(decoded(find(rendered, "Secret", URL_SECRET).data["redis-url"]));
      expect(url.href).toBe(`redis://${REDIS_NAME}.${NAMESPACE}.svc:6379`);
      expect(url.username + url.password).toBe("");
    }
    expect(
      notifierDeployments(withWorker)
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([FULLNAME, `${FULLNAME}-worker`]);
  });

  it("has the password in plain text (or base64) nowhere but the Secret's data", () => {
    const b64 = secret.data["redis-password"];
    for (const m of manifests) {
      if (m.kind === "Secret" && m.metadata.name === AUTH_SECRET) continue;
      const text = JSON.stringify(m);
      expect(text, `${m.kind}/${m.metadata.name}`).not.toContain(password);
      expect(text, `${m.kind}/${m.metadata.name}`).not.toContain(b64);
    }
    for (const c of [redisContainer(manifests), ...notifierDeployments(manifests).map(container)]) {
      for (const arg of [...commandLine(c), ...probeCommands(c).flat()]) expect(arg).not.toContain(password);
    }
  });

  it("rolls Redis and the notifiers together when the generated password changes", () => {
    const withWorker = renderChart({ worker: { enabled: true } });
    const expected = sha256(find(withWorker, "Secret", AUTH_SECRET).data["redis-password"]);
    const annotated = [find(withWorker, "StatefulSet", REDIS_NAME), ...notifierDeployments(withWorker)];
    expect(annotated).toHaveLength(3);
    for (const w of annotated) {
      expect(w.spec.template.metadata.annotations["checksum/redis-auth"], w.metadata.name).toBe(expected);
    }
  });

  it("NOTES.txt names the Secret and says the notifier gets the password", () => {
    const text = notes({});
    expect(text).toContain(
      `It requires a password (requirepass): key redis-password of Secret ${AUTH_SECRET}`,
    );
    expect(text).toContain("(generated at install, kept across upgrades)");
    expect(text).toContain("The notifier gets it as REDIS_PASSWORD");
    expect(text).toContain(`exec -it ${REDIS_NAME}-0 -- redis-cli`);
    expect(text).not.toContain("NO password");
  });
});

describe("redis.embedded.auth.existingSecret", () => {
  const values = { redis: { embedded: { auth: { existingSecret: "my-redis-auth", passwordKey: "pw" } } } };
  const manifests = renderChart(values);
  const ref = { secretKeyRef: { name: "my-redis-auth", key: "pw" } };

  it("creates no password Secret and takes the password from the user's", () => {
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    const c = redisContainer(manifests);
    expect(c.args).toContain("$(REDIS_PASSWORD)");
    expect(envOf(c)).toEqual({ REDIS_PASSWORD: ref, REDISCLI_AUTH: ref });
    for (const d of notifierDeployments(manifests)) expect(envOf(container(d)).REDIS_PASSWORD).toEqual(ref);
  });

  it("has no checksum annotation (the chart cannot read the user's Secret)", () => {
    const sts = find(manifests, "StatefulSet", REDIS_NAME);
    expect(sts.spec.template.metadata.annotations?.["checksum/redis-auth"]).toBeUndefined();
    for (const d of notifierDeployments(manifests)) {
      expect(d.spec.template.metadata.annotations?.["checksum/redis-auth"]).toBeUndefined();
    }
  });

  it("NOTES.txt names the user's Secret and key", () => {
    const text = notes(values);
    expect(text).toContain("It requires a password (requirepass): key pw of Secret my-redis-auth.");
    expect(text).not.toContain("generated at install");
  });
});

describe("redis.embedded.auth.enabled=false", () => {
  const values = { redis: { embedded: { auth: { enabled: false } } } };
  const manifests = renderChart(values);

  it("renders no password Secret, no --requirepass and no password env", () => {
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    const c = redisContainer(manifests);
    expect(c.args).not.toContain("--requirepass");
    expect(c.env).toBeUndefined();
    for (const d of notifierDeployments(manifests)) {
      expect(envOf(container(d))).not.toHaveProperty("REDIS_PASSWORD");
    }
  });

  it("NOTES.txt warns that anyone can read and rewrite the queue, and says how to fence it", () => {
    const text = notes(values);
    expect(text).toContain("WARNING: it has NO password (redis.embedded.auth.enabled=false)");
    expect(text).toContain("can read and rewrite\n  the notification queue, journals and history.");
    expect(text).toContain("Set networkPolicy.enabled=true");
    expect(notes({ ...values, networkPolicy: { enabled: true } })).not.toContain(
      "Set networkPolicy.enabled=true",
    );
  });
});

describe("password values that contradict each other", () => {
  it("refuses redis.auth.existingSecret (an external Redis' password) with the embedded Redis", () => {
    const res = helmTemplate({ redis: { auth: { existingSecret: "ext" } } });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(
      "redis.auth.existingSecret is the password of an external Redis; the embedded Redis takes its password from redis.embedded.auth.existingSecret",
    );
  });

  it("refuses redis.embedded.auth.existingSecret with auth turned off", () => {
    const res = helmTemplate({ redis: { embedded: { auth: { enabled: false, existingSecret: "s" } } } });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(
      "redis.embedded.auth.existingSecret is set but redis.embedded.auth.enabled=false",
    );
  });

  it("ignores redis.embedded.auth with an external Redis (its password is redis.auth's)", () => {
    const manifests = renderChart({
      redis: { url: "redis://r.example:6379", auth: { existingSecret: "ext" } },
    });
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    expect(envOf(container(find(manifests, "Deployment", FULLNAME))).REDIS_PASSWORD).toEqual({
      secretKeyRef: { name: "ext", key: "redis-password" },
    });
  });
});

describe("the generated password is kept across upgrades (lookup against a cluster)", () => {
  // The test API server serves Secrets but not Deployments or StatefulSets, which `helm template
  // --dry-run=server` would map: render the chart's own helpers and Secret template alone.
  let kube: KubeApiServer;
  let chartPart: string;
  beforeAll(async () => {
    kube = await startKubeApiServer({ namespaces: ["default", NAMESPACE] });
    chartPart = mkdtempSync(join(tmpdir(), "rn-chart-auth-"));
    mkdirSync(join(chartPart, "templates"));
    for (const f of [
      "Chart.yaml",
      "values.yaml",
      "values.schema.json",
      "templates/_helpers.tpl",
      "templates/redis-auth-secret.yaml",
    ]) {
      cpSync(join(CHART_DIR, f), join(chartPart, f));
    }
  });
  afterAll(async () => {
    await kube?.stop();
    if (chartPart) rmSync(chartPart, { recursive: true, force: true });
  });

  async function renderAgainstCluster(): Promise<Manifest> {
    const res = await runHelmAsync([
      "template",
      RELEASE,
      chartPart,
      "--namespace",
      NAMESPACE,
      "--dry-run=server",
      "--kubeconfig",
      kube.kubeconfigPath,
    ]);
    if (res.status !== 0) throw new Error(`helm template --dry-run=server failed:\n${res.stderr}`);
    return find(parseManifests(res.stdout), "Secret", AUTH_SECRET);
  }

  it("first install draws a password; an upgrade finds the installed Secret and renders the same one", async () => {
    const installed = await renderAgainstCluster();
    const password = decoded(installed.data["redis-password"]);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    // what `helm install` leaves in the cluster: the Secret, owned by the release
    kube.objects.create({
      ...installed,
      metadata: {
        ...installed.metadata,
        annotations: { "meta.helm.sh/release-name": RELEASE, "meta.helm.sh/release-namespace": NAMESPACE },
      },
    } as never);
    for (let upgrade = 0; upgrade < 2; upgrade++) {
      expect(decoded((await renderAgainstCluster()).data["redis-password"])).toBe(password);
    }
  }, 60_000);
});

/** The kubelet's $(VAR) expansion of command and args from the container's env (undefined names stay as is). */
function expandKubeletVars(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) =>
    m === "$$" ? "$" : name !== undefined && name in env ? env[name]! : m,
  );
}

describe("the rendered Redis, run: its command with the Secret's password, its probes, the notifier's settings", () => {
  const manifests = renderChart({});
  const password = decoded(find(manifests, "Secret", AUTH_SECRET).data["redis-password"]);
  const redis = redisContainer(manifests);
  const notifier = container(find(manifests, "Deployment", FULLNAME));
  // The pod's env, as the kubelet fills it from the Secret.
  const podEnv = Object.fromEntries(
    (redis.env as Manifest[]).map((e) => [
      e.name,
      e.valueFrom.secretKeyRef.name === AUTH_SECRET ? password : "?",
    ]),
  );
  let proc: ChildProcess | undefined;
  let dir: string;
  let port: number;
  const run = promisify(execFile);

  /** A probe command, run with a redis-cli that reaches this test's port (the pod's is 6379, taken here). */
  async function probe(command: string[], env: Record<string, string>): Promise<number> {
    try {
      await run(command[0]!, command.slice(1), {
        env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, ...env },
        timeout: 10_000,
      });
      return 0;
    } catch (err) {
      return (err as { code: number }).code;
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rn-chart-redis-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "data"));
    port = await freePort();
    const shim = join(dir, "bin", "redis-cli");
    writeFileSync(shim, `#!/bin/sh\nexec ${await which("redis-cli")} -p ${port} "$@"\n`);
    chmodSync(shim, 0o755);
    const argv = commandLine(redis).map((a) => expandKubeletVars(a, podEnv));
    expect(argv).toContain(password); // the kubelet put the Secret's password in
    const dataAt = argv.indexOf("/data");
    expect(argv[dataAt - 1]).toBe("--dir");
    argv[dataAt] = join(dir, "data");
    proc = spawn(argv[0]!, [...argv.slice(1), "--port", String(port), "--bind", "127.0.0.1"], {
      stdio: "ignore",
    });
    proc.on("error", () => {});
    const readiness = redis.readinessProbe.exec.command as string[];
    for (let i = 0; (await probe(readiness, podEnv)) !== 0; i++) {
      if (i >= 100) throw new Error("the rendered Redis did not become ready in 10 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once("exit", r));
      proc.kill("SIGKILL");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a client without the password", async () => {
    const { stdout } = await run(join(dir, "bin", "redis-cli"), ["ping"], {
      env: { PATH: process.env.PATH },
    });
    expect(stdout.trim()).toBe("NOAUTH Authentication required.");
    const wrong = await run(join(dir, "bin", "redis-cli"), ["ping"], {
      env: { PATH: process.env.PATH, REDISCLI_AUTH: "not-the-password" },
    });
    expect(wrong.stdout + wrong.stderr).toMatch(/WRONGPASS|NOAUTH/);
  });

  it("its probes pass with the pod's env and fail without the password or with a wrong one", async () => {
    for (const command of probeCommands(redis)) {
      expect(await probe(command, podEnv), command.join(" ")).toBe(0);
      expect(await probe(command, {}), command.join(" ")).not.toBe(0);
      expect(await probe(command, { REDISCLI_AUTH: "not-the-password" }), command.join(" ")).not.toBe(0);
    }
  });

  it("the notifier's settings from its rendered env (REDIS_URL without credentials + REDIS_PASSWORD) connect", async () => {
    const env = envOf(notifier);
    expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: AUTH_SECRET, key: "redis-password" } });
    const url = `redis://127.0.0.1:${port}`; // the rendered URL names the in-cluster Service; same shape
    const withPassword = createRedisClient(
      resolveRedisSettings({}, { REDIS_URL: url, REDIS_PASSWORD: password }),
      {
        purpose: "command",
      },
    );
    const without = createRedisClient(resolveRedisSettings({}, { REDIS_URL: url }), { purpose: "command" });
    without.on("error", () => {});
    withPassword.on("error", () => {});
    try {
      expect(await withPassword.set("chart-auth-probe", "1")).toBe("OK");
      await expect(without.get("chart-auth-probe")).rejects.toThrow(/NOAUTH/);
    } finally {
      withPassword.disconnect();
      without.disconnect();
    }
  });
});

async function which(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)("sh", ["-c", `command -v ${name}`]);
  return stdout.trim();
}
