// The console's parts against a real Redis and the Kubernetes API test server: authorisation (TokenReview +
// SubjectAccessReview, static token), the JSON API's writes and their refusals, the history's bounds and
// redaction, silences (validation, matching, mute-until annotations, expiry summaries), Rollout Events.
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuthorizer } from "../../src/console/authorizer.ts";
import { ConsoleService } from "../../src/console/console-service.ts";
import { REASON_FAILED, RolloutEventRecorder } from "../../src/events/rollout-events.ts";
import { DeliveryHistory } from "../../src/history/delivery-history.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { buildNotificationJob, type NotificationJob } from "../../src/queue/notification-job.ts";
import { RedisNotificationQueue } from "../../src/queue/redis-notification-queue.ts";
import { historyKeys } from "../../src/redis/keys.ts";
import { consoleApiRoute } from "../../src/server/api/console-api.ts";
import { type HttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import { consolePagesRoute } from "../../src/server/ui/console-pages.ts";
import { SilenceStore } from "../../src/silences/silence-store.ts";
import { summaryJobs } from "../../src/silences/silence-summary.ts";
import { createSilencer } from "../../src/silences/silencer.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

const silent = pino({ level: "silent" });
const STATIC = "static-console-token-0123456789";

function transition(n: number, o: { ns?: string; name?: string; trigger?: string } = {}): Transition {
  const ns = o.ns ?? "apps";
  const name = o.name ?? "web";
  const ref = { kind: "Rollout", namespace: ns, name, uid: `uid-${ns}-${name}` };
  return {
    id: `${ref.uid}.t${n}`,
    trigger: o.trigger ?? "on-rollout-step-completed",
    object: ref,
    rollout: ref,
    revision: "2",
    snapshot: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name, namespace: ns } },
  };
}

function jobFor(t: Transition, service = "slack", recipient = "deploys"): NotificationJob {
  return buildNotificationJob({
    transition: t,
    destination: { service, recipient },
    notification: { message: `${t.trigger} of ${t.object.name}\nmore`, slack: { text: t.trigger } },
    detectedAt: Date.now(),
  });
}

describe("operator console", () => {
  let redisH: RedisHarness;
  let kube: KubeApiServer;
  let redis: Redis;
  let http: HttpServer;
  let base: string;
  let svc: ConsoleService;
  let logs: { msg: string; user?: string }[];

  beforeAll(async () => {
    [redisH, kube] = await Promise.all([
      startRedis(),
      startKubeApiServer({ namespaces: ["default", "apps"] }),
    ]);
    redis = new Redis(redisH.port, "127.0.0.1", { maxRetriesPerRequest: null });
    kube.reviews.addUser({ token: "t-dev", username: "dev" });
    kube.reviews.addUser({ token: "t-ops", username: "ops" });
    kube.reviews.addUser({ token: "t-nobody", username: "nobody" });
    kube.reviews.grant({
      user: "dev",
      verbs: ["patch"],
      apiGroups: ["argoproj.io"],
      resources: ["rollouts"],
      namespaces: ["apps"],
    });
    kube.reviews.grant({
      user: "ops",
      verbs: ["patch"],
      apiGroups: ["argoproj.io"],
      resources: ["rollouts"],
    });
    logs = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    svc = new ConsoleService({
      queue: new RedisNotificationQueue({ connection: redis }),
      history: new DeliveryHistory(redis, { transitionsPerRollout: 3, maxRollouts: 2 }),
      silences: new SilenceStore(redis),
      authorizer: createAuthorizer({ kc: kube.kubeConfig(), staticToken: STATIC, cacheMs: 0 }),
      logger,
    });
    http = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      registry: createMetrics().registry,
      readiness: [],
      routes: [consoleApiRoute(svc), consolePagesRoute(svc)],
    });
    base = `http://127.0.0.1:${http.port}`;
  });
  afterAll(async () => {
    await http?.close();
    redis?.disconnect();
    await kube?.stop();
    await redisH?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  const post = (path: string, token?: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const silenceBody = (ns?: string) => ({
    matchers: { ...(ns ? { namespace: ns } : {}), service: "slack" },
    duration: "1h",
    comment: "maintenance",
  });

  it("writes need a token (401), the right to patch Rollouts where they act (403), and are logged with who", async () => {
    expect((await post("/api/v1/silences", undefined, silenceBody("apps"))).status).toBe(401);
    expect((await post("/api/v1/silences", "wrong", silenceBody("apps"))).status).toBe(401);
    const refused = await post("/api/v1/silences", "t-nobody", silenceBody("apps"));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: "nobody may not patch rollouts.argoproj.io in namespace apps",
    });
    // namespaced rights: in their namespace yes, cluster-wide no
    const ok = await post("/api/v1/silences", "t-dev", silenceBody("apps"));
    expect(ok.status).toBe(200);
    const created = (await ok.json()) as { id: string; createdBy: string };
    expect(created.createdBy).toBe("dev");
    expect((await post("/api/v1/silences", "t-dev", silenceBody())).status).toBe(403);
    expect((await post("/api/v1/silences", "t-ops", silenceBody())).status).toBe(200);
    expect((await post("/api/v1/silences", STATIC, silenceBody())).status).toBe(200);
    // purge of all dead letters needs cluster-wide rights
    const purge = (t: string) =>
      fetch(`${base}/api/v1/deadletters`, { method: "DELETE", headers: { authorization: `Bearer ${t}` } });
    expect((await purge("t-dev")).status).toBe(403);
    expect(await (await purge("t-ops")).json()).toEqual({ purged: 0, ids: [], by: "ops" });
    // expire: 404 for an unknown id, then done by the namespaced user
    expect((await post("/api/v1/silences/nope/expire", "t-ops")).status).toBe(404);
    const expired = await post(`/api/v1/silences/${created.id}/expire`, "t-dev");
    expect(expired.status).toBe(200);
    expect(((await expired.json()) as { expiredBy: string }).expiredBy).toBe("dev");
    const messages = logs.map((l) => `${l.msg}|${l.user ?? ""}`);
    expect(messages).toContain(`console: silence ${created.id} created by dev|dev`);
    expect(messages).toContain("console: 0 dead letter(s) purged by ops|ops");
    expect(messages).toContain(`console: silence ${created.id} expired by dev|dev`);
    expect(
      messages.some((m) => m.startsWith("console: create silence refused") && m.endsWith("|nobody")),
    ).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(STATIC);
  });

  it("purges one dead letter or those a filter matches, each atomically, in the history as purged by whom", async () => {
    const queue = svc.deps.queue as RedisNotificationQueue;
    const h = svc.history!;
    const make = async (t: Transition, service: string) => {
      const job = jobFor(t, service);
      await h.recordHandOff([t], [{ job, outcome: "queued" }]);
      await queue.store.enqueue([job], Date.now());
      const dead = await queue.store.markDead({
        id: job.jobId,
        job,
        reason: { code: "http-404", message: "channel_not_found", transient: false },
        attempts: 1,
        enqueuedAt: Date.now(),
        deadLetteredAt: Date.now(),
      });
      expect(dead.changed).toBe(true);
      return job;
    };
    const webSlack = await make(transition(1), "slack");
    const webHook = await make(transition(2), "webhook-ci");
    const apiSlack = await make(transition(3, { name: "api" }), "slack");
    const otherSlack = await make(transition(4, { ns: "default" }), "slack");
    const remove = (path: string, t?: string) =>
      fetch(`${base}${path}`, { method: "DELETE", headers: t ? { authorization: `Bearer ${t}` } : {} });
    const listed = async (query: string) =>
      (
        (await (await fetch(`${base}/api/v1/deadletters${query}`)).json()) as {
          deadLetters: { id: string }[];
        }
      ).deadLetters.map((l) => l.id);

    // listing and purging match the same way
    expect(await listed("?namespace=apps&service=slack")).toEqual([webSlack.jobId, apiSlack.jobId]);
    expect(await listed("?rollout=web")).toEqual([webSlack.jobId, webHook.jobId, otherSlack.jobId]);
    expect((await fetch(`${base}/api/v1/deadletters?rollout=${"x".repeat(300)}`)).status).toBe(400);

    // one: the Rollout's namespace rights, like a retry
    const one = `/api/v1/deadletters/${encodeURIComponent(webSlack.jobId)}`;
    expect((await remove(one)).status).toBe(401);
    expect((await remove(one, "t-nobody")).status).toBe(403);
    const purgedOne = await remove(one, "t-dev");
    expect(purgedOne.status).toBe(200);
    expect(await purgedOne.json()).toEqual({ purged: 1, ids: [webSlack.jobId], by: "dev" });
    expect((await remove(one, "t-dev")).status).toBe(404);
    expect(
      (await remove(`/api/v1/deadletters/${encodeURIComponent(otherSlack.jobId)}`, "t-dev")).status,
    ).toBe(403);
    expect(await h.notification(webSlack.jobId)).toMatchObject({
      outcome: "purged",
      detail: "purged by dev",
    });
    // its id stays known: the same transition handed off again sends nothing
    expect(await queue.store.getStates([webSlack.jobId])).toEqual(["purged"]);
    expect(await queue.enqueue([webSlack])).toEqual({ enqueued: [], duplicates: [webSlack.jobId] });

    // filtered: rights in the filter's namespace; cluster-wide without one
    expect((await remove("/api/v1/deadletters?service=slack", "t-dev")).status).toBe(403);
    const filtered = await remove("/api/v1/deadletters?namespace=apps&service=slack", "t-dev");
    expect(await filtered.json()).toEqual({ purged: 1, ids: [apiSlack.jobId], by: "dev" });
    expect(await listed("")).toEqual([webHook.jobId, otherSlack.jobId]);
    expect(await h.notification(apiSlack.jobId)).toMatchObject({
      outcome: "purged",
      detail: "purged by dev",
    });
    expect(await h.notification(webHook.jobId)).toMatchObject({ outcome: "queued" });

    // atomic per dead letter: one retried meanwhile is not purged (and stays queued)
    expect(await queue.retryDeadLetter(webHook.jobId)).toBe(true);
    expect(await queue.purgeDeadLetter(webHook.jobId)).toBe(false);
    expect(await queue.store.getStates([webHook.jobId])).toEqual(["queued"]);

    const messages = logs.map((l) => `${l.msg}|${l.user ?? ""}`);
    expect(messages).toContain("console: dead letter purged by dev|dev");
    expect(messages).toContain("console: 1 dead letter(s) purged by dev (namespace=apps, service=slack)|dev");
    expect(messages.some((m) => m.startsWith("console: purge refused") && m.endsWith("|nobody"))).toBe(true);

    // the page: filter form, a Purge per row, "purge shown" with the same filter
    const page = await (await fetch(`${base}/ui/deadletters?namespace=default`)).text();
    expect(page).toContain(`data-action="purge-one" data-id="${otherSlack.jobId}"`);
    expect(page).toContain('data-action="purge-shown" data-filter="namespace=default" data-count="1"');
    expect(page).toContain('name="namespace" value="default"');
    expect(await (await fetch(`${base}/ui/deadletters?namespace=nowhere`)).text()).toContain(
      "no dead letters match the filter",
    );
  });

  it("refuses bad silences with 400 and the reason", async () => {
    const cases: [unknown, RegExp][] = [
      [{ matchers: {}, duration: "1h", comment: "x" }, /at least one/],
      [{ matchers: { rollout: "web" }, duration: "1h" }, /comment/],
      [{ matchers: { rollout: "web" }, duration: "soon", comment: "x" }, /duration/],
      [{ matchers: { rollout: "web" }, endsAt: "2001-01-01T00:00:00Z", comment: "x" }, /past/],
      [{ matchers: { rollout: "web" }, duration: "100d", comment: "x" }, /90 days/],
    ];
    for (const [body, re] of cases) {
      const res = await post("/api/v1/silences", STATIC, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(re);
    }
    const bad = await fetch(`${base}/api/v1/silences`, {
      method: "POST",
      headers: { authorization: `Bearer ${STATIC}` },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
  });

  it("keeps the last N transitions per Rollout and the most recently active Rollouts", async () => {
    const h = svc.history!;
    for (let i = 1; i <= 5; i++) {
      const t = transition(i);
      await h.recordHandOff([t], [{ job: jobFor(t), outcome: "queued" }]);
    }
    const ids = (await h.transitionsOf("apps", "web")).map((t) => t.id);
    expect(ids).toEqual(["uid-apps-web.t5", "uid-apps-web.t4", "uid-apps-web.t3"]);
    // a repeat of the hand-off does not list a transition twice nor overwrite its outcome
    const t5 = transition(5);
    await h.setOutcome(jobFor(t5).jobId, "delivered");
    await h.recordHandOff([t5], [{ job: jobFor(t5), outcome: "suppressed" }]);
    expect((await h.transitionsOf("apps", "web")).map((t) => t.id)).toEqual(ids);
    expect((await h.notification(jobFor(t5).jobId))?.outcome).toBe("delivered");
    for (const name of ["a", "b"]) {
      await new Promise((r) => setTimeout(r, 5));
      const t = transition(1, { name });
      await h.recordHandOff([t], [{ job: jobFor(t), outcome: "queued" }]);
    }
    expect((await h.rollouts()).map((r) => r.name)).toEqual(["b", "a"]);
    const ttl = await redis.ttl(historyKeys.transition(t5.id));
    expect(ttl).toBeGreaterThan(0);
  });

  it("stores the remote's answer redacted and cut short", async () => {
    const h = svc.history!;
    const t = transition(1);
    const job = jobFor(t);
    await h.recordHandOff([t], [{ job, outcome: "queued" }]);
    await h.recordAttempt(
      job.jobId,
      {
        at: Date.now(),
        attempt: 1,
        outcome: "failed",
        code: "http_401",
        statusCode: 401,
        answer: `invalid_auth for xoxb-1234-5678-secretvalue, Authorization: Bearer abcdefghijk123 at https://user:pw@hooks.example.com/x?token=s3cr3t ${"x".repeat(500)}`,
      },
      "retrying",
    );
    const rec = await h.notification(job.jobId);
    const answer = rec!.attempts[0]!.answer!;
    for (const secret of ["xoxb-1234", "abcdefghijk123", "user:pw", "s3cr3t"])
      expect(answer).not.toContain(secret);
    expect(answer.length).toBeLessThanOrEqual(300);
    expect(rec!.outcome).toBe("retrying");
  });

  it("silences match on namespace, Rollout, labels, trigger, service and recipient; mute-until annotations too", async () => {
    const store = new SilenceStore(redis);
    const warnings: string[] = [];
    const logger = pino(
      { level: "warn" },
      { write: (l: string) => void warnings.push(JSON.parse(l).problem) },
    );
    const silencer = createSilencer({ store, annotationPrefix: "notifications.argoproj.io", logger });
    const rollouts: Record<string, KubeObject> = {
      web: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: "apps", labels: { team: "pay" } },
      },
      api: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: {
          name: "api",
          namespace: "apps",
          annotations: {
            "notifications.argoproj.io/mute-until": new Date(Date.now() + 60_000).toISOString(),
          },
        },
      },
      old: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: {
          name: "old",
          namespace: "apps",
          annotations: { "notifications.argoproj.io/mute-until": "2001-01-01T00:00:00Z" },
        },
      },
      bad: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: {
          name: "bad",
          namespace: "apps",
          annotations: { "notifications.argoproj.io/mute-until": "tomorrow" },
        },
      },
    };
    const namespaces: Record<string, KubeObject> = {
      quiet: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: "quiet",
          annotations: {
            "notifications.argoproj.io/mute-until": new Date(Date.now() + 60_000).toISOString(),
          },
        },
      },
    };
    const world = {
      getRollout: (_ns: string, name: string) => rollouts[name],
      getNamespace: (name: string) => namespaces[name],
      analysisRunsIn: () => [],
    };
    await store.create(
      { matchers: { labels: { team: "pay" }, trigger: "on-rollout-aborted" }, duration: "1h", comment: "c" },
      "u",
    );
    await store.create(
      { matchers: { namespace: "apps", service: "webhook", recipient: "x" }, duration: "1h", comment: "c" },
      "u",
    );
    const check = (t: Transition, service = "slack", recipient = "deploys") =>
      silencer.check(jobFor(t, service, recipient), world);
    expect(check(transition(1, { name: "web", trigger: "on-rollout-aborted" }))?.silenceId).toBeDefined();
    expect(check(transition(1, { name: "web", trigger: "on-rollout-completed" }))).toBeUndefined();
    expect(check(transition(1, { name: "other" }), "webhook", "x")?.silenceId).toBeDefined();
    expect(check(transition(1, { name: "other" }), "webhook", "y")).toBeUndefined();
    expect(check(transition(1, { name: "api" }))?.detail).toMatch(/muted by Rollout apps\/api/);
    expect(check(transition(1, { ns: "quiet", name: "x" }))?.detail).toMatch(/muted by Namespace quiet/);
    expect(check(transition(1, { name: "old" }))).toBeUndefined();
    expect(check(transition(1, { name: "bad" }))).toBeUndefined();
    expect(check(transition(2, { name: "bad" }))).toBeUndefined();
    expect(warnings.filter((w) => w?.includes("apps/bad"))).toHaveLength(1);
  });

  it("a summary per destination of what a silence held; none to PagerDuty", async () => {
    const store = new SilenceStore(redis);
    const s = await store.create(
      { matchers: { namespace: "apps" }, duration: "1h", comment: "window", summary: true },
      "ops",
    );
    const jobs = [
      jobFor(transition(1), "slack", "a"),
      jobFor(transition(2), "slack", "a"),
      jobFor(transition(3), "slack", "b"),
      jobFor(transition(4), "pagerdutyv2", "oncall"),
    ];
    await store.hold(s.id, jobs);
    await store.hold(s.id, jobs.slice(0, 1)); // idempotent
    const { held, over } = await store.held(s.id);
    expect(held).toHaveLength(4);
    const out = summaryJobs(s, held, over, Date.now());
    expect(out.skipped).toEqual(["pagerdutyv2:oncall"]);
    expect(out.jobs.map((j) => `${j.destination.service}:${j.destination.recipient}`)).toEqual([
      "slack:a",
      "slack:b",
    ]);
    expect(out.jobs[0]!.notification.message).toContain("2 notification(s) were held back");
    expect(out.jobs[0]!.notification.message).toContain(
      "apps/web on-rollout-step-completed: on-rollout-step-completed of web",
    );
    // deterministic ids: a second sweep enqueues nothing new
    expect(summaryJobs(s, held, over, Date.now() + 1000).jobs.map((j) => j.jobId)).toEqual(
      out.jobs.map((j) => j.jobId),
    );
  });

  it("records Rollout Events, a repeat patching count and lastTimestamp as the controller's recorder does", async () => {
    const recorder = new RolloutEventRecorder({ kc: kube.kubeConfig(), logger: silent, instance: "pod-1" });
    const ro = { kind: "Rollout", namespace: "apps", name: "web", uid: "uid-web" };
    recorder.record(
      ro,
      "Warning",
      REASON_FAILED,
      "Notification x to slack:deploys failed, retrying: http_500",
    );
    recorder.record(
      ro,
      "Warning",
      REASON_FAILED,
      "Notification x to slack:deploys failed, retrying: http_500",
    );
    recorder.record(ro, "Warning", REASON_FAILED, "Notification x to slack:other failed, retrying: http_500");
    await recorder.flush();
    // a repeat after the Event exists: PATCH count + 1
    recorder.record(
      ro,
      "Warning",
      REASON_FAILED,
      "Notification x to slack:deploys failed, retrying: http_500",
    );
    await recorder.flush();
    const events = kube.objects.list("Event", "apps") as (KubeObject & {
      count?: number;
      message?: string;
      involvedObject?: object;
      source?: object;
    })[];
    expect(events.map((e) => [e.message, e.count]).sort()).toEqual([
      ["Notification x to slack:deploys failed, retrying: http_500", 3],
      ["Notification x to slack:other failed, retrying: http_500", 1],
    ]);
    expect(events[0]!.involvedObject).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      name: "web",
      namespace: "apps",
      uid: "uid-web",
    });
    expect(events[0]!.source).toEqual({ component: "rollouts-notifier" });
  });

  it("drops Events beyond client-go's spam filter: 25 per Rollout, then one every 5 minutes", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const recorder = new RolloutEventRecorder({
      kc: kube.kubeConfig(),
      logger: silent,
      instance: "pod-1",
      now: () => new Date(now),
    });
    const ro = { kind: "Rollout", namespace: "apps", name: "spam", uid: "uid-spam" };
    const count = () =>
      kube.objects.list("Event", "apps").filter((e) => e.metadata.name?.startsWith("spam.")).length;
    for (let i = 0; i < 30; i++) recorder.record(ro, "Normal", "NotificationDelivered", `message ${i}`);
    await recorder.flush();
    expect(count()).toBe(25);
    expect(recorder.dropped).toBe(5);
    now += 300_000;
    recorder.record(ro, "Normal", "NotificationDelivered", "after five minutes");
    recorder.record(ro, "Normal", "NotificationDelivered", "one too many");
    await recorder.flush();
    expect(count()).toBe(26);
  });

  it("serves the pages with their bundled assets under a strict CSP, escaping what users wrote", async () => {
    const res = await post("/api/v1/silences", STATIC, {
      matchers: { rollout: '<img src=x onerror="alert(1)">' },
      duration: "1h",
      comment: "<script>alert(1)</script>",
    });
    expect(res.status).toBe(200);
    for (const path of ["/ui", "/ui/rollouts", "/ui/rollouts/apps/web", "/ui/deadletters", "/ui/silences"]) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('<script src="/ui/console.js"></script>');
      expect(html).not.toContain("<script>alert(1)");
      expect(html).not.toContain("<img src=x");
      if (path === "/ui/silences") expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    }
    expect((await fetch(`${base}/ui/console.js`)).headers.get("content-type")).toContain("text/javascript");
    expect((await fetch(`${base}/ui/console.css`)).headers.get("content-type")).toContain("text/css");
    expect((await fetch(`${base}/ui/nope`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/nope`)).status).toBe(404);
  });
});
