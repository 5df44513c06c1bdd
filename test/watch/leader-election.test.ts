// Leader election on a coordination.k8s.io/v1 Lease, against the Kubernetes API test server; then two real
// `rollouts-notifier watcher` replicas with the leader killed mid-rollout.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LeaderElector } from "../../src/watch/leader-election.ts";
import { TransitionLog } from "../../src/watch/transition-log.ts";
import { HISTORIES } from "../replay/expected-histories.ts";
import { applyStep, readHistory } from "../support/history-player.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type NotifierProcess, startNotifierProcess } from "../support/notifier-process.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";
import { eventually, silentLogger } from "./watcher-harness.ts";

interface Candidate {
  elector: LeaderElector;
  leading: boolean;
  transitions: string[];
}

const FAST = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

function candidate(
  api: KubeApiServer,
  identity: string,
  lease = "le",
  kc = api.kubeConfig(),
  timings = FAST,
): Candidate {
  const c: Candidate = { leading: false, transitions: [], elector: undefined as unknown as LeaderElector };
  c.elector = new LeaderElector({
    kc,
    name: lease,
    namespace: "argo-rollouts",
    identity,
    ...timings,
    logger: silentLogger,
    onStartedLeading: () => {
      c.leading = true;
      c.transitions.push("start");
    },
    onStoppedLeading: () => {
      c.leading = false;
      c.transitions.push("stop");
    },
  });
  return c;
}

describe("LeaderElector", () => {
  let api: KubeApiServer;
  const candidates: Candidate[] = [];
  beforeAll(async () => {
    api = await startKubeApiServer({ namespaces: ["argo-rollouts"] });
  });
  afterEach(async () => {
    for (const c of candidates.splice(0)) await c.elector.stop();
  });
  afterAll(() => api.stop());

  /**
   * a leading and b standing by on `lease`, with a long lease: a take-over well inside it can only come from a
   * release (not from expiry), with room for a slow host.
   */
  async function leaderAndStandby(lease: string): Promise<{ a: Candidate; b: Candidate }> {
    const slowExpiry = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 200 };
    const a = candidate(api, "a", lease, api.kubeConfig(), slowExpiry);
    const b = candidate(api, "b", lease, api.kubeConfig(), slowExpiry);
    candidates.push(a, b);
    a.elector.start();
    await eventually(() => a.leading, 5000, "a to lead");
    b.elector.start();
    return { a, b };
  }

  it("elects exactly one leader and hands over at once on a graceful stop", async () => {
    const { a, b } = await leaderAndStandby("l1");
    await new Promise((r) => setTimeout(r, 800));
    expect([a.leading, b.leading]).toEqual([true, false]);
    const lease = api.objects.get({ kind: "Lease", namespace: "argo-rollouts", name: "l1" });
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe("a");
    await a.elector.stop(); // releases the Lease
    await eventually(() => b.leading, 5000, "b to take over a released lease well before it expires (15 s)");
  });

  it("a stop while a renewal is under way releases the Lease after it and never leads again", async () => {
    const { a, b } = await leaderAndStandby("l5");
    const leasePath = "/apis/coordination.k8s.io/v1/namespaces/argo-rollouts/leases/l5";
    // a's renewals (and the release) now take 300 ms to be applied (its timeout: 400 ms): stop while one is under way
    api.faults.delayResponses(300, leasePath, "PUT");
    try {
      const puts = () => api.faults.requests.filter((r) => r.method === "PUT" && r.path === leasePath).length;
      const before = puts();
      await eventually(() => puts() > before, 5000, "a renewal of the Lease to be under way");
      await a.elector.stop();
      expect(a.leading).toBe(false);
      api.faults.delayResponses(0);
      // released after the renewal landed (not overwritten by it): b takes over well inside the 15 s lease
      await eventually(() => b.leading, 5000, "b to take over the released lease");
      await new Promise((r) => setTimeout(r, 600));
      expect(a.transitions).toEqual(["start", "stop"]);
      const lease = api.objects.get({ kind: "Lease", namespace: "argo-rollouts", name: "l5" });
      expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe("b");
    } finally {
      api.faults.delayResponses(0);
    }
  });

  it("has looked at the Lease only once its first attempt has an answer (leader or standby)", async () => {
    api.faults.delayResponses(300, (path) => path.includes("/leases"));
    try {
      const a = candidate(api, "a", "l0");
      candidates.push(a);
      expect(a.elector.hasLooked).toBe(false);
      a.elector.start();
      await new Promise((r) => setTimeout(r, 100));
      expect([a.elector.hasLooked, a.leading]).toEqual([false, false]); // its first look is not answered yet
      await eventually(() => a.elector.hasLooked, 5000, "a to have looked");
      expect(a.leading).toBe(true);
    } finally {
      api.faults.delayResponses(0);
    }
  });

  it("takes over within the lease duration when the leader stops renewing", async () => {
    const aConfig = api.kubeConfig();
    const a = candidate(api, "a", "l2", aConfig);
    const b = candidate(api, "b", "l2");
    candidates.push(a, b);
    a.elector.start();
    await eventually(() => a.leading, 5000, "a to lead");
    b.elector.start();
    // from now on every API call of the leader is refused (a partitioned leader: it cannot renew)
    const user = aConfig.getCurrentUser() as { token?: string };
    user.token = "revoked";
    await eventually(() => !a.leading, 3000, "a to step down after the renew deadline");
    await eventually(() => b.leading, 3000, "b to lead once the lease expired");
    expect(a.leading).toBe(false);
  });

  it("a leader whose Lease is taken stops leading at once", async () => {
    const a = candidate(api, "a", "l3");
    candidates.push(a);
    a.elector.start();
    await eventually(() => a.leading, 5000, "a to lead");
    const lease = api.objects.get({ kind: "Lease", namespace: "argo-rollouts", name: "l3" });
    api.objects.update({
      ...lease,
      spec: { ...(lease.spec as object), holderIdentity: "intruder", renewTime: new Date().toISOString() },
    });
    await eventually(() => !a.leading, 1000, "a to stop on its next renew");
    expect(a.transitions).toEqual(["start", "stop"]);
  });
});

describe("two watcher replicas", () => {
  let redis: RedisHarness;
  let api: KubeApiServer;
  const procs: NotifierProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    api = await startKubeApiServer({ namespaces: ["default", "argo-rollouts", "demo"] });
  });
  afterAll(async () => {
    for (const p of procs) await p.kill9();
    await api.stop();
    await redis.stop();
  });

  it("one emits; when it is killed mid-rollout the standby takes over within the lease and nothing is lost or doubled", {
    timeout: 60_000,
  }, async () => {
    const replica = (name: string) =>
      startNotifierProcess(
        [
          "watcher",
          "--kubeconfig",
          api.kubeconfigPath,
          "--redis-url",
          redis.url,
          "--http-port",
          "0",
          "--namespace",
          "argo-rollouts",
        ],
        {
          POD_NAME: name,
          LEASE_DURATION_SECONDS: "3",
          LEASE_RENEW_DEADLINE_SECONDS: "2",
          LEASE_RETRY_PERIOD_SECONDS: "1",
        },
      );
    const a = replica("replica-a");
    procs.push(a);
    await a.waitForLog((l) => l.msg === "informers synced");
    const b = replica("replica-b");
    procs.push(b);
    await b.waitForLog((l) => l.msg === "rollouts-notifier started");

    const history = readHistory("examples/histories/canary-abort-retry.yaml");
    const client = new Redis(redis.port, "127.0.0.1");
    const log = new TransitionLog(client);
    const emitted = async () =>
      (await log.list()).filter((r) => r.transition.trigger !== "on-scaling-replica-set");
    for (const step of history.slice(0, 10)) {
      applyStep(api, step);
      await new Promise((r) => setTimeout(r, 30));
    }
    await eventually(async () => (await emitted()).length >= 3, 10_000, "first transitions").catch((err) => {
      throw new Error(
        `${(err as Error).message}\nreplica a:\n${a.logs.map((l) => JSON.stringify(l)).join("\n")}`,
      );
    });
    expect(b.logs.some((l) => l.msg === "transition")).toBe(false);
    expect(b.logs.some((l) => l.msg === "became leader")).toBe(false);

    await a.kill9();
    // one controller write lands while nobody leads (a whole abort → retry cycle inside a leaderless window
    // would be invisible to any watcher; the controller's own steps are seconds apart)
    applyStep(api, history[10]!);
    // lease 3 s + one retry period: the standby leads, lists, and emits what happened meanwhile
    await b.waitForLog((l) => l.msg === "became leader", 5_000);
    await b.waitForLog((l) => l.msg === "informers synced", 10_000);
    for (const step of history.slice(11)) {
      applyStep(api, step);
      await new Promise((r) => setTimeout(r, 30));
    }
    await eventually(async () => (await emitted()).length >= 11, 10_000, "all transitions").catch(
      async (err) => {
        const got = (await emitted()).map((r) => r.transition.trigger);
        throw new Error(
          `${(err as Error).message}: ${got.join(", ")}\nreplica b:\n${b.logs.map((l) => JSON.stringify(l)).join("\n")}`,
        );
      },
    );
    const recorded = await emitted();
    client.disconnect();
    expect(recorded.map((r) => r.transition.trigger)).toEqual(HISTORIES["canary-abort-retry.yaml"]);
  });
});
