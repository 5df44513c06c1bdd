// Which Redis the chart gives the service: its own embedded Redis with no values at all, an external one from
// redis.url or redis.existingSecret (either turns the embedded one off); what NOTES.txt says in each mode; and
// the `helm test` Pod that checks /readyz, whose script is run here against a local HTTP server.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  CHART_DIR,
  container,
  envOf,
  FULLNAME,
  find,
  findAll,
  helmWithValues,
  type Manifest,
  NAMESPACE,
  RELEASE,
  renderChart,
} from "./render-chart.ts";

const REDIS_NAME = `${FULLNAME}-redis`;
const URL_SECRET = `${FULLNAME}-redis-url`;

const secretValue = (manifests: Manifest[], name: string, key: string) =>
  Buffer.from(find(manifests, "Secret", name).data[key], "base64").toString();

/** NOTES.txt as `helm install --dry-run=client` prints it (no cluster needed). */
function notes(values: unknown): string {
  const res = helmWithValues(
    ["install", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "--dry-run=client"],
    values,
  );
  if (res.status !== 0) throw new Error(`helm install --dry-run failed (${res.status}):\n${res.stderr}`);
  const at = res.stdout.indexOf("\nNOTES:\n");
  if (at < 0) throw new Error(`no NOTES in helm's output:\n${res.stdout}`);
  return res.stdout.slice(at);
}

describe("no values at all: the embedded Redis", () => {
  const manifests = renderChart({});

  it("renders the notifier, a persistent append-only Redis, and the helm test Pod", () => {
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
        `Job/${FULLNAME}-redis-password-init`,
        `Role/${FULLNAME}-redis-password-init`,
        `RoleBinding/${FULLNAME}-redis-password-init`,
        `ServiceAccount/${FULLNAME}-redis-password-init`,
        `Secret/${URL_SECRET}`,
        `Service/${FULLNAME}`,
        `Service/${REDIS_NAME}`,
        `ServiceAccount/${FULLNAME}`,
        `StatefulSet/${REDIS_NAME}`,
      ].sort(),
    );
    const sts = find(manifests, "StatefulSet", REDIS_NAME);
    const args = container(sts).args as string[];
    expect(args[args.indexOf("--appendonly") + 1]).toBe("yes");
    expect(args[args.indexOf("--dir") + 1]).toBe("/data");
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
  });

  it("points REDIS_URL at the embedded Redis Service", () => {
    const deployment = find(manifests, "Deployment", FULLNAME);
    expect(envOf(container(deployment)).REDIS_URL).toEqual({
      secretKeyRef: { name: URL_SECRET, key: "redis-url" },
    });
    expect(secretValue(manifests, URL_SECRET, "redis-url")).toBe(
      `redis://${REDIS_NAME}.${NAMESPACE}.svc:6379`,
    );
    const svc = find(manifests, "Service", REDIS_NAME);
    expect(svc.spec.ports[0].port).toBe(6379);
    expect(svc.spec.selector).toEqual(find(manifests, "StatefulSet", REDIS_NAME).spec.selector.matchLabels);
  });

  it("NOTES.txt says the embedded Redis is in use and how to move to an external one", () => {
    const text = notes({});
    expect(text).toContain(`embedded: StatefulSet ${REDIS_NAME}, one Redis, append-only file on`);
    expect(text).toContain("a 1Gi PersistentVolumeClaim");
    expect(text).toContain("no replication, no fail-over.");
    expect(text).toContain(
      `It requires a password (requirepass): key redis-password of Secret ${FULLNAME}-redis-auth`,
    );
    expect(text).toContain(`helm upgrade ${RELEASE} <chart> -n ${NAMESPACE} --reuse-values --set redis.url=`);
    expect(text).toContain("--reuse-values --set redis.existingSecret=<secret with key redis-url>");
    expect(text).toContain(`helm test ${RELEASE} -n ${NAMESPACE}`);
  });
});

describe("redis.url", () => {
  const url = "rediss://:s3cret@redis.example:6380";

  it("turns the embedded Redis off, even with redis.embedded.enabled=true", () => {
    for (const values of [{ redis: { url } }, { redis: { url, embedded: { enabled: true } } }]) {
      const manifests = renderChart(values);
      expect(findAll(manifests, "StatefulSet")).toEqual([]);
      expect(findAll(manifests, "Service").map((s) => s.metadata.name)).toEqual([FULLNAME]);
      expect(secretValue(manifests, URL_SECRET, "redis-url")).toBe(url);
    }
  });

  it("NOTES.txt says the external Redis of redis.url is in use, without the URL", () => {
    const text = notes({ redis: { url } });
    expect(text).toContain(`external, from redis.url (stored in Secret ${URL_SECRET})`);
    expect(text).not.toContain("embedded:");
    expect(text).not.toContain("s3cret");
  });
});

describe("redis.existingSecret", () => {
  const values = { redis: { existingSecret: "my-redis", existingSecretKey: "url" } };

  it("turns the embedded Redis off and creates no Secret", () => {
    const manifests = renderChart(values);
    expect(findAll(manifests, "StatefulSet")).toEqual([]);
    expect(findAll(manifests, "Secret")).toEqual([]);
    expect(envOf(container(find(manifests, "Deployment")))).toMatchObject({
      REDIS_URL: { secretKeyRef: { name: "my-redis", key: "url" } },
    });
  });

  it("NOTES.txt names the Secret and key in use", () => {
    const text = notes(values);
    expect(text).toContain("external, from key url of your Secret my-redis.");
    expect(text).not.toContain("embedded:");
  });
});

describe("the helm test Pod", () => {
  const manifests = renderChart({});
  const pod = find(manifests, "Pod", `${FULLNAME}-test-readyz`);
  const c = pod.spec.containers[0];
  const deployment = find(manifests, "Deployment", FULLNAME);

  it("is a test hook running the notifier's image as the notifier's user, selected by no Service", () => {
    expect(pod.metadata.annotations["helm.sh/hook"]).toBe("test");
    expect(pod.metadata.annotations["helm.sh/hook-delete-policy"]).toBe(
      "before-hook-creation,hook-succeeded",
    );
    expect(pod.spec.restartPolicy).toBe("Never");
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(c.image).toBe(container(deployment).image);
    expect(pod.spec.securityContext).toEqual(deployment.spec.template.spec.securityContext);
    expect(c.securityContext).toEqual(container(deployment).securityContext);
    for (const svc of findAll(manifests, "Service")) {
      const selected = Object.entries(svc.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v);
      expect(selected, svc.metadata.name).toBe(false);
    }
    expect(envOf(c).READYZ_URL).toBe(`http://${FULLNAME}.${NAMESPACE}.svc:9090/readyz`);
  });

  it("follows service.port", () => {
    const other = find(renderChart({ service: { port: 8080 } }), "Pod", `${FULLNAME}-test-readyz`);
    expect(envOf(other.spec.containers[0]).READYZ_URL).toBe(
      `http://${FULLNAME}.${NAMESPACE}.svc:8080/readyz`,
    );
  });

  it("is admitted by the NetworkPolicy when metricsFrom restricts who may reach the HTTP port", () => {
    const withPolicy = renderChart({
      networkPolicy: {
        enabled: true,
        metricsFrom: [{ namespaceSelector: { matchLabels: { team: "obs" } } }],
      },
    });
    const np = find(withPolicy, "NetworkPolicy", FULLNAME);
    const p = find(withPolicy, "Pod", `${FULLNAME}-test-readyz`);
    const admitted = np.spec.ingress[0].from.some(
      (peer: Manifest) =>
        peer.podSelector &&
        !peer.namespaceSelector &&
        Object.entries(peer.podSelector.matchLabels).every(([k, v]) => p.metadata.labels[k] === v),
    );
    expect(admitted).toBe(true);
  });

  describe("its script, run by Node against a local /readyz", () => {
    let server: Server | undefined;
    afterEach(() => server?.close());

    /** Serves /readyz with the given statuses in turn (the last one repeats). */
    async function readyz(statuses: number[]): Promise<string> {
      let n = 0;
      server = createServer((req, res) => {
        const status = statuses[Math.min(n++, statuses.length - 1)]!;
        res.writeHead(req.url === "/readyz" ? status : 404, { "content-type": "application/json" });
        res.end(JSON.stringify({ ready: status === 200, checks: { redis: status === 200 ? "ok" : "down" } }));
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/readyz`;
    }

    /** The container's command and args, with `node` being this Node, and its env with the given overrides. */
    async function runScript(env: Record<string, string>) {
      expect(c.command[0]).toBe("node");
      const argv = [...c.command.slice(1), ...c.args];
      const podEnv = Object.fromEntries(
        Object.entries(envOf(c)).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
      try {
        const { stdout } = await promisify(execFile)(process.execPath, argv, {
          env: { PATH: process.env.PATH, ...podEnv, ...env },
          timeout: 20_000,
        });
        return { code: 0, stdout };
      } catch (err) {
        const e = err as { code?: number; stdout?: string };
        return { code: e.code, stdout: e.stdout ?? "" };
      }
    }

    it("waits while /readyz answers 503 and succeeds on 200, printing the answer", async () => {
      const url = await readyz([503, 200]);
      const r = await runScript({ READYZ_URL: url });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `GET ${url}: 503 {"ready":false,"checks":{"redis":"down"}}\n` +
          `GET ${url}: 200 {"ready":true,"checks":{"redis":"ok"}}\n`,
      );
    });

    it("fails after its attempts when /readyz never answers 200", async () => {
      const url = await readyz([503]);
      const r = await runScript({ READYZ_URL: url, READYZ_ATTEMPTS: "2" });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`${url} did not answer 200 in 2 attempts, 2 s apart`);
    });

    it("fails when nothing listens", async () => {
      const url = await readyz([200]);
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
      const r = await runScript({ READYZ_URL: url, READYZ_ATTEMPTS: "1" });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`GET ${url}: ECONNREFUSED`);
    });
  });
});
