// The embedded Redis' password (redis.embedded.auth): a Secret made in the cluster by a pre-install/pre-upgrade
// hook Job (`rollouts-notifier redis-initial-password`, run here as a process against the test API server, the
// way the rendered Job runs it) or the user's; Redis started with --requirepass from it, probes authenticating
// with REDISCLI_AUTH, the notifier given REDIS_PASSWORD; no password in any manifest, so `helm template` (Argo
// CD) renders the same output every time. The rendered Redis command and probes are run against a real
// redis-server with the password the Job's command created, and the notifier's own settings + connection code
// connect with the rendered environment.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRedisSettings } from "../../src/cli/settings.ts";
import { createRedisClient } from "../../src/redis/redis-connection.ts";
import { freePort } from "../support/free-port.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { expectRedisPasswordInitPrivilege, splitRedisPasswordInit } from "./rbac-checks.ts";
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
  RELEASE,
  renderChart,
} from "./render-chart.ts";

const REDIS_NAME = `${FULLNAME}-redis`;
const AUTH_SECRET = `${FULLNAME}-redis-auth`;
const URL_SECRET = `${FULLNAME}-redis-url`;
const INIT = `${FULLNAME}-redis-password-init`;

const redisContainer = (manifests: Manifest[]) => container(find(manifests, "StatefulSet", REDIS_NAME));
const notifierDeployments = (manifests: Manifest[]) => findAll(manifests, "Deployment");
const decoded = (b64: string) => Buffer.from(b64, "base64").toString();
const hookObjects = (manifests: Manifest[]) => splitRedisPasswordInit(manifests)[0];
const execFileAsync = promisify(execFile);

/** `helm template` output as text, for byte-for-byte comparisons. */
function templateText(values: unknown): string {
  const res = helmTemplate(values);
  if (res.status !== 0) throw new Error(`helm template failed (${res.status}):\n${res.stderr}`);
  return res.stdout;
}

/**
 * Runs the rendered Job's container as the hook would: its args to the CLI (the image's entrypoint), with a
 * kubeconfig for the test API server in place of the in-cluster ServiceAccount.
 */
async function runInitJob(job: Manifest, kube: KubeApiServer) {
  const args = container(job).args as string[];
  try {
    const { stdout, stderr } = await execFileAsync("node_modules/.bin/node", ["src/cli/main.ts", ...args], {
      env: { PATH: process.env.PATH, KUBECONFIG: kube.kubeconfigPath },
      timeout: 30_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** The password in the Secret the hook made, as kubectl reads it. */
async function passwordInCluster(kube: KubeApiServer, dir: string): Promise<string> {
  const { stdout } = await execFileAsync(
    "kubectl",
    [
      "--kubeconfig",
      kube.kubeconfigPath,
      "--cache-dir",
      join(dir, "kube-cache"),
      "get",
      "secret",
      AUTH_SECRET,
      "-n",
      NAMESPACE,
      "-o",
      "jsonpath={.data.redis-password}",
    ],
    { env: { ...process.env, HOME: dir } },
  );
  return decoded(stdout);
}

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

describe("no values: the embedded Redis requires a password from a Secret a hook Job creates", () => {
  const manifests = renderChart({});
  const secretRef = { secretKeyRef: { name: AUTH_SECRET, key: "redis-password" } };
  const hooks = hookObjects(manifests);
  const job = find(hooks, "Job", INIT);

  it("renders no password Secret: a pre-install/pre-upgrade hook Job runs redis-initial-password for it", () => {
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    expect(hooks.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [`Job/${INIT}`, `Role/${INIT}`, `RoleBinding/${INIT}`, `ServiceAccount/${INIT}`].sort(),
    );
    const c = container(job);
    expect(c.args).toEqual([
      "redis-initial-password",
      "--namespace",
      NAMESPACE,
      "--secret",
      AUTH_SECRET,
      "--key",
      "redis-password",
    ]);
    expect(c.command).toBeUndefined(); // the image's entrypoint: the notifier's CLI
    expect(c.image).toBe(container(find(manifests, "Deployment", FULLNAME)).image);
    expect(c.env).toBeUndefined(); // no password, no config: it needs none
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  it("hooks: pre-install,pre-upgrade; ServiceAccount and Role, then RoleBinding, then Job; deleted once they succeeded", () => {
    const weight = (m: Manifest) => Number(m.metadata.annotations["helm.sh/hook-weight"]);
    for (const m of hooks) {
      const where = `${m.kind}/${m.metadata.name}`;
      expect(m.metadata.annotations["helm.sh/hook"], where).toBe("pre-install,pre-upgrade");
      expect(m.metadata.annotations["helm.sh/hook-delete-policy"], where).toBe(
        "before-hook-creation,hook-succeeded",
      );
      expect(Number.isInteger(weight(m)), where).toBe(true);
    }
    const w = (kind: string) => weight(find(hooks, kind, INIT));
    expect(w("ServiceAccount")).toBeLessThan(w("RoleBinding"));
    expect(w("Role")).toBeLessThan(w("RoleBinding"));
    expect(w("RoleBinding")).toBeLessThan(w("Job"));
    // nothing of the release itself is a hook that would run before it
    for (const m of splitRedisPasswordInit(manifests)[1]) {
      expect(m.metadata.annotations?.["helm.sh/hook"] ?? "test", `${m.kind}/${m.metadata.name}`).toBe("test");
    }
  });

  it("its Role may get only that Secret and create Secrets, bound to the Job's own ServiceAccount", () => {
    expectRedisPasswordInitPrivilege(hooks);
    // the release's ServiceAccount (the notifiers') is not given these rules
    const binding = find(hooks, "RoleBinding", INIT);
    expect(binding.subjects.map((s: Manifest) => s.name)).toEqual([INIT]);
    expect(find(manifests, "Deployment", FULLNAME).spec.template.spec.serviceAccountName).not.toBe(INIT);
  });

  it("the Job's pod is selected by no Service and no NetworkPolicy of the chart", () => {
    const withPolicy = renderChart({ networkPolicy: { enabled: true, egress: [{ to: [] }] } });
    const podLabels = find(withPolicy, "Job", INIT).spec.template.metadata.labels as Record<string, string>;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    for (const svc of findAll(withPolicy, "Service")) expect(selects(svc.spec.selector)).toBe(false);
    const policies = findAll(withPolicy, "NetworkPolicy");
    expect(policies.length).toBeGreaterThan(0);
    for (const np of policies) expect(selects(np.spec.podSelector.matchLabels)).toBe(false);
  });

  it("helm template renders the same output every time (Argo CD syncs nothing new), with and without a worker", () => {
    for (const values of [{}, { worker: { enabled: true } }, { networkPolicy: { enabled: true } }]) {
      const first = templateText(values);
      expect(templateText(values), JSON.stringify(values)).toBe(first);
    }
    expect(templateText({})).not.toContain("checksum/redis-auth");
    expect(templateText({})).not.toContain("redis-password:"); // no Secret data of it
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

  it("no checksum annotation: the password does not change with a render, nothing to roll", () => {
    const withWorker = renderChart({ worker: { enabled: true } });
    const workloads = [find(withWorker, "StatefulSet", REDIS_NAME), ...notifierDeployments(withWorker)];
    expect(workloads).toHaveLength(3);
    for (const w of workloads) {
      expect(w.spec.template.metadata.annotations?.["checksum/redis-auth"], w.metadata.name).toBeUndefined();
    }
  });

  it("NOTES.txt names the Secret, the Job that creates it, and says the notifier gets the password", () => {
    const text = notes({});
    expect(text).toContain(
      `It requires a password (requirepass): key redis-password of Secret ${AUTH_SECRET}.`,
    );
    expect(text).toContain(
      `The pre-install/pre-upgrade hook Job ${INIT} creates it with a random password\n  if it does not exist; the chart never changes it afterwards, and helm uninstall leaves it.`,
    );
    expect(text).toContain("The notifier gets it as REDIS_PASSWORD");
    expect(text).toContain(`exec -it ${REDIS_NAME}-0 -- redis-cli`);
    expect(text).not.toContain("NO password");
  });
});

describe("redis.embedded.auth.existingSecret", () => {
  const values = { redis: { embedded: { auth: { existingSecret: "my-redis-auth", passwordKey: "pw" } } } };
  const manifests = renderChart(values);
  const ref = { secretKeyRef: { name: "my-redis-auth", key: "pw" } };

  it("creates no password Secret, no hook Job, and takes the password from the user's", () => {
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    expect(hookObjects(manifests)).toEqual([]);
    expect(findAll(manifests, "Job")).toEqual([]);
    const c = redisContainer(manifests);
    expect(c.args).toContain("$(REDIS_PASSWORD)");
    expect(envOf(c)).toEqual({ REDIS_PASSWORD: ref, REDISCLI_AUTH: ref });
    for (const d of notifierDeployments(manifests)) expect(envOf(container(d)).REDIS_PASSWORD).toEqual(ref);
  });

  it("has no checksum annotation", () => {
    const sts = find(manifests, "StatefulSet", REDIS_NAME);
    expect(sts.spec.template.metadata.annotations?.["checksum/redis-auth"]).toBeUndefined();
    for (const d of notifierDeployments(manifests)) {
      expect(d.spec.template.metadata.annotations?.["checksum/redis-auth"]).toBeUndefined();
    }
  });

  it("NOTES.txt names the user's Secret and key", () => {
    const text = notes(values);
    expect(text).toContain("It requires a password (requirepass): key pw of Secret my-redis-auth.");
    expect(text).not.toContain("hook Job");
  });
});

describe("redis.embedded.auth.enabled=false", () => {
  const values = { redis: { embedded: { auth: { enabled: false } } } };
  const manifests = renderChart(values);

  it("renders no password Secret, no hook Job, no --requirepass and no password env", () => {
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).toEqual([URL_SECRET]);
    expect(hookObjects(manifests)).toEqual([]);
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
    expect(hookObjects(manifests)).toEqual([]);
    expect(envOf(container(find(manifests, "Deployment", FULLNAME))).REDIS_PASSWORD).toEqual({
      secretKeyRef: { name: "ext", key: "redis-password" },
    });
  });
});

describe("the rendered hook Job's command against a cluster: install creates the password, upgrades keep it", () => {
  let kube: KubeApiServer;
  let dir: string;
  beforeAll(async () => {
    kube = await startKubeApiServer({ namespaces: ["default", NAMESPACE] });
    dir = mkdtempSync(join(tmpdir(), "rn-chart-auth-"));
  });
  afterAll(async () => {
    await kube?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("install: the Job creates the Secret; upgrades (each a new render) leave it; never a password in output", async () => {
    const install = await runInitJob(find(renderChart({}), "Job", INIT), kube);
    expect(install).toEqual({
      code: 0,
      out: `Secret ${NAMESPACE}/${AUTH_SECRET} created with a random password in key "redis-password"\n`,
      err: "",
    });
    const password = await passwordInCluster(kube, dir);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(install.out + install.err).not.toContain(password);
    for (let upgrade = 0; upgrade < 2; upgrade++) {
      const again = await runInitJob(
        find(renderChart({ worker: { enabled: upgrade === 1 } }), "Job", INIT),
        kube,
      );
      expect(again).toEqual({
        code: 0,
        out: `Secret ${NAMESPACE}/${AUTH_SECRET} already holds key "redis-password": left as it is\n`,
        err: "",
      });
      expect(await passwordInCluster(kube, dir)).toBe(password);
    }
    // what the cluster holds never reaches a render
    const rendered = templateText({});
    expect(rendered).not.toContain(password);
    expect(rendered).not.toContain(Buffer.from(password).toString("base64"));
  }, 90_000);

  it("the Job's command makes only requests its rendered Role allows (get that Secret, create Secrets)", async () => {
    const manifests = renderChart({});
    const from = kube.faults.requests.length;
    // from no Secret (the install test may have left one): the get, then the create
    try {
      kube.objects.delete({ kind: "Secret", namespace: NAMESPACE, name: AUTH_SECRET });
    } catch {
      // not there
    }
    expect((await runInitJob(find(manifests, "Job", INIT), kube)).code).toBe(0);
    const made = kube.faults.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    expect(made).toEqual([
      `GET /api/v1/namespaces/${NAMESPACE}/secrets/${AUTH_SECRET}`,
      `POST /api/v1/namespaces/${NAMESPACE}/secrets`,
    ]);
    // get by that name, create: exactly the Role's two rules
    expect(find(hookObjects(manifests), "Role", INIT).rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: [AUTH_SECRET], verbs: ["get"] },
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    ]);
  }, 60_000);
});

/** The kubelet's $(VAR) expansion of command and args from the container's env (undefined names stay as is). */
function expandKubeletVars(arg: string, env: Record<string, string>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) =>
    m === "$$" ? "$" : name !== undefined && name in env ? env[name]! : m,
  );
}

describe("the rendered Redis, run: its command with the password the Job created, its probes, the notifier's settings", () => {
  const manifests = renderChart({});
  const redis = redisContainer(manifests);
  const notifier = container(find(manifests, "Deployment", FULLNAME));
  let kube: KubeApiServer;
  let password: string;
  // The pod's env, as the kubelet fills it from the Secret.
  let podEnv: Record<string, string>;
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
    // the hook ran before the release's pods: the Secret is there
    kube = await startKubeApiServer({ namespaces: ["default", NAMESPACE] });
    expect((await runInitJob(find(manifests, "Job", INIT), kube)).code).toBe(0);
    password = await passwordInCluster(kube, dir);
    podEnv = Object.fromEntries(
      (redis.env as Manifest[]).map((e) => [
        e.name,
        e.valueFrom.secretKeyRef.name === AUTH_SECRET ? password : "?",
      ]),
    );
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
  }, 60_000);
  afterAll(async () => {
    await kube?.stop();
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
