// `rollouts-notifier redis-initial-password` (the chart's pre-install/pre-upgrade hook Job) run as a process
// against the Kubernetes API test server, with the real kubectl as the witness of what is in the cluster: it
// creates the Secret once with a random password, leaves it on later runs, takes a lost create race (409) for
// "exists", never prints the password, and says what RBAC it lacks when the API refuses (403).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";

const execFileAsync = promisify(execFile);
const NS = "notifier";
let kube: KubeApiServer;
let dir: string;

beforeAll(async () => {
  kube = await startKubeApiServer({ namespaces: ["default", NS] });
  dir = mkdtempSync(join(tmpdir(), "rn-redis-initial-password-"));
});
afterAll(async () => {
  await kube?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The CLI as a process (the way the hook Job runs it), with KUBECONFIG pointing at the test server. */
async function cli(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(
      "node_modules/.bin/node",
      ["src/cli/main.ts", "redis-initial-password", ...args],
      {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kube.kubeconfigPath },
        timeout: 30_000,
      },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    "kubectl",
    ["--kubeconfig", kube.kubeconfigPath, "--cache-dir", join(dir, "cache"), ...args],
    { env: { ...process.env, HOME: dir } },
  );
  return stdout;
}

/** The Secret as kubectl reads it: its labels and decoded data. */
async function secretViaKubectl(name: string) {
  const s = JSON.parse(await kubectl("get", "secret", name, "-n", NS, "-o", "json")) as {
    type: string;
    metadata: { labels?: Record<string, string>; resourceVersion: string };
    data: Record<string, string>;
  };
  const data = Object.fromEntries(
    Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
  return { ...s, data };
}

const expectNoPassword = (run: Run, password: string) => {
  expect(run.out + run.err).not.toContain(password);
  expect(run.out + run.err).not.toContain(Buffer.from(password).toString("base64"));
};

describe("redis-initial-password", () => {
  it("creates the Secret with a random url-safe password once; later runs leave it as it is", async () => {
    const first = await cli("--namespace", NS, "--secret", "rn-redis-auth");
    expect(first).toEqual({
      code: 0,
      out: `Secret ${NS}/rn-redis-auth created with a random password in key "redis-password"\n`,
      err: "",
    });
    const created = await secretViaKubectl("rn-redis-auth");
    const password = created.data["redis-password"]!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(Object.keys(created.data)).toEqual(["redis-password"]);
    expect(created.type).toBe("Opaque");
    expect(created.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "rollouts-notifier" });
    expectNoPassword(first, password);

    for (let i = 0; i < 2; i++) {
      const again = await cli("--namespace", NS, "--secret", "rn-redis-auth");
      expect(again).toEqual({
        code: 0,
        out: `Secret ${NS}/rn-redis-auth already holds key "redis-password": left as it is\n`,
        err: "",
      });
      const after = await secretViaKubectl("rn-redis-auth");
      expect(after.data["redis-password"]).toBe(password);
      expect(after.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    }

    // another Secret gets another password: randomness, not a constant
    expect((await cli("--namespace", NS, "--secret", "other", "--key", "pw")).code).toBe(0);
    const other = (await secretViaKubectl("other")).data.pw!;
    expect(other).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(other).not.toBe(password);
  }, 60_000);

  it("leaves a user's Secret alone, and fails clearly when it lacks the key", async () => {
    await kubectl("create", "secret", "generic", "users", "-n", NS, "--from-literal=redis-password=theirs");
    const kept = await cli("--namespace", NS, "--secret", "users");
    expect(kept.code).toBe(0);
    expect((await secretViaKubectl("users")).data["redis-password"]).toBe("theirs");
    expectNoPassword(kept, "theirs");

    const missing = await cli("--namespace", NS, "--secret", "users", "--key", "other-key");
    expect(missing.code).toBe(1);
    expect(missing.out).toBe("");
    expect(missing.err).toBe(
      `redis-initial-password: Secret ${NS}/users exists but has no (or an empty) key "other-key": left as it is; add the key, or delete the Secret to have a password generated\n`,
    );
    expect((await secretViaKubectl("users")).data).toEqual({ "redis-password": "theirs" });
  }, 60_000);

  it("a run whose create loses the race (409) takes the Secret the other run created as there", async () => {
    // The other run's create lands between this run's get (404) and its create (409 AlreadyExists).
    kube.objects.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "raced", namespace: NS },
      data: { "redis-password": Buffer.from("the-other-runs").toString("base64") },
    } as never);
    kube.faults.failNext(1, `/api/v1/namespaces/${NS}/secrets/raced`, 404, "GET");
    const posts = kube.faults.requestCount(`/api/v1/namespaces/${NS}/secrets`, "POST");
    const lost = await cli("--namespace", NS, "--secret", "raced");
    expect(kube.faults.requestCount(`/api/v1/namespaces/${NS}/secrets`, "POST") - posts).toBe(1);
    expect(lost).toEqual({
      code: 0,
      out: `Secret ${NS}/raced was created meanwhile by another run: left as it is\n`,
      err: "",
    });
    expect((await secretViaKubectl("raced")).data["redis-password"]).toBe("the-other-runs");
  }, 60_000);

  it("two runs at once both succeed and leave one password", async () => {
    const runs = await Promise.all([
      cli("--namespace", NS, "--secret", "concurrent"),
      cli("--namespace", NS, "--secret", "concurrent"),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const created = `Secret ${NS}/concurrent created with a random password in key "redis-password"\n`;
    const [winner, other] = runs[0]!.out === created ? runs : [runs[1]!, runs[0]!];
    expect(winner!.out).toBe(created);
    expect(other!.out).toMatch(
      /^Secret notifier\/concurrent (already holds key "redis-password"|was created meanwhile by another run): left as it is\n$/,
    );
    const password = (await secretViaKubectl("concurrent")).data["redis-password"]!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const r of runs) expectNoPassword(r, password);
  }, 60_000);

  it("says which permission is missing when the API forbids the get or the create (403)", async () => {
    // The test server answers SubjectAccessReviews but does not enforce RBAC on its own requests: the
    // refusal a real API server gives a ServiceAccount without the Role's rules is injected.
    kube.faults.failNext(1, `/api/v1/namespaces/${NS}/secrets/denied`, 403, "GET");
    const getDenied = await cli("--namespace", NS, "--secret", "denied");
    expect(getDenied.code).toBe(1);
    expect(getDenied.err).toBe(
      `redis-initial-password: get Secret ${NS}/denied: forbidden (403): the service account needs "get" on secrets (resourceNames: [denied]) in that namespace\n`,
    );

    kube.faults.failNext(1, `/api/v1/namespaces/${NS}/secrets`, 403, "POST");
    const createDenied = await cli("--namespace", NS, "--secret", "denied");
    expect(createDenied.code).toBe(1);
    expect(createDenied.err).toBe(
      `redis-initial-password: create Secret ${NS}/denied: forbidden (403): the service account needs "create" on secrets in that namespace\n`,
    );
    await expect(kubectl("get", "secret", "denied", "-n", NS)).rejects.toThrow(/NotFound|not found/);
  }, 60_000);

  it("a missing namespace, bad names and no Kubernetes config are clear errors (1, 2)", async () => {
    const noNs = await cli("--namespace", "absent", "--secret", "s");
    expect(noNs.code).toBe(1);
    expect(noNs.err).toBe(
      "redis-initial-password: create Secret absent/s: not found (404): does the namespace exist?\n",
    );
    expect(await cli("--secret", "s")).toMatchObject({
      code: 2,
      err: "redis-initial-password: --namespace is required (or env POD_NAMESPACE)\n",
    });
    expect(await cli("--namespace", NS)).toMatchObject({
      code: 2,
      err: "redis-initial-password: --secret is required\n",
    });
    expect(await cli("--namespace", NS, "--secret", "Bad_Name")).toMatchObject({
      code: 2,
      err: `redis-initial-password: --secret: "Bad_Name" is not a valid Secret name\n`,
    });
    expect(await cli("--namespace", NS, "--secret", "s", "--key", "a/b")).toMatchObject({ code: 2 });
    const { stdout, stderr } = await execFileAsync(
      "node_modules/.bin/node",
      ["src/cli/main.ts", "redis-initial-password", "--namespace", NS, "--secret", "s"],
      { cwd: process.cwd(), env: { PATH: process.env.PATH, HOME: dir } },
    ).catch((e: { stdout: string; stderr: string; code: number }) => {
      expect(e.code).toBe(2);
      return e;
    });
    expect(stdout).toBe("");
    expect(stderr).toContain("no Kubernetes config: pass --kubeconfig FILE (or set KUBECONFIG)");
  }, 60_000);
});
