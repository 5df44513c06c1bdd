// /healthz and /readyz of a real `rollouts-notifier run`: alive from the start; ready only once the notification
// config is loaded and (on the leader) the informers have synced; not ready, naming the part, when the config
// cannot be read, the Rollout informers cannot list, or Redis is gone — and ready again when it is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotifierProcess } from "../support/notifier-process.ts";
import {
  httpGet,
  type NotifierWorld,
  startRun,
  startWorld,
  stopProcess,
  waitFor,
  writeServiceConfig,
} from "./notifier-under-test.ts";

describe("/healthz and /readyz of rollouts-notifier run", () => {
  let w: NotifierWorld;
  let proc: NotifierProcess;
  let baseUrl: string;
  // API faults switched by the test: the config ConfigMap/Secret and the Rollout list answer 500 while blocked
  const blocked = { config: true, rollouts: true };
  let redisDown = false;

  beforeAll(async () => {
    w = await startWorld();
    writeServiceConfig(w);
    w.api.faults.failNext(
      Number.POSITIVE_INFINITY,
      (path) => blocked.config && (path.includes("/configmaps") || path.includes("/secrets")),
      500,
    );
    w.api.faults.failNext(
      Number.POSITIVE_INFINITY,
      (path) => blocked.rollouts && /\/rollouts(\/|\?|$)/.test(path), // not leases/rollouts-notifier
      500,
    );
    ({ proc, baseUrl } = await startRun(w));
  }, 60_000);

  afterAll(async () => {
    if (redisDown) await w.redis.restart(); // a graceful stop needs Redis to close the queue
    await stopProcess(proc);
    await w?.stop();
  });

  it("is alive at once", async () => {
    expect(await httpGet(`${baseUrl}/healthz`)).toEqual({ status: 200, body: "ok\n" });
  });

  it("is not ready while the notification config cannot be loaded, naming it", async () => {
    const r = await httpGet(`${baseUrl}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body).toContain("[-]config notification config not loaded yet");
    expect(r.body).toContain("[+]redis ok");
    expect(r.body).toMatch(/not ready: config\n$/);
  });

  it("is not ready while the leader's informers have not synced, naming them", async () => {
    blocked.config = false;
    const r = await waitFor("the config to load while Rollouts cannot be listed", async () => {
      const res = await httpGet(`${baseUrl}/readyz`);
      // (before it, a moment where the leader election has not looked at the Lease yet: also not ready)
      return res.body.includes("[+]config ok") && res.body.includes("[-]informers informers not synced")
        ? res
        : undefined;
    });
    expect(r.status).toBe(503);
    expect(r.body).toContain("[-]informers informers not synced");
    expect(r.body).toMatch(/not ready: informers\n$/);
  });

  it("is ready once the informers have synced", async () => {
    blocked.rollouts = false;
    const r = await waitFor("readiness", async () => {
      const res = await httpGet(`${baseUrl}/readyz`);
      return res.status === 200 ? res : undefined;
    });
    // the service's test config subscribes to built-in triggers it does not define: a load warning (Argo
    // Rollouts would send nothing for them), one per subscription entry, shown without failing readiness
    const warned = [
      'argo-rollouts/argo-rollouts-notification-configmap key "subscriptions ([0].triggers)": built-in trigger(s) not defined in this ConfigMap: "on-rollout-updated", "on-rollout-completed", "on-rollout-aborted": Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates',
    ];
    expect(r.body).toBe(
      `[+]redis ok\n[+]config ok\n[+]config-errors ok (1 config warning(s): ${warned.join("; ")})\n[+]informers ok\nready\n`,
    );
    // and the log said so
    await proc.waitForLog((l) => l.msg === "informers synced");
  });

  it("shows config errors on /readyz without failing it (the last good config keeps running)", async () => {
    const cm = w.api.objects.get({
      kind: "ConfigMap",
      namespace: "argo-rollouts",
      name: "argo-rollouts-notification-configmap",
    });
    w.api.objects.update({
      ...cm,
      data: {
        ...(cm.data as Record<string, string>),
        "service.webhook.broken": "url: not-a-url\n",
        "template.twice": "message: first\nmessage: second\n",
      },
    });
    const r = await waitFor("the config error to show", async () => {
      const res = await httpGet(`${baseUrl}/readyz`);
      return res.body.includes("[+]config-errors ok (") ? res : undefined;
    });
    expect(r.status).toBe(200);
    expect(r.body).toContain("service.webhook.broken");
    expect(r.body).toContain("last good config in use");
    // what loads as Argo Rollouts loads it but is worth a look is shown too, and counted
    expect(r.body).toContain(
      '2 config warning(s): argo-rollouts/argo-rollouts-notification-configmap key "template.twice": duplicate key "message" (lines 1 and 2): the last value is used, as Argo Rollouts does;',
    );
    const metrics = (await httpGet(`${baseUrl}/metrics`)).body;
    expect(metrics).toMatch(/^rollouts_notifier_config_warnings_total\{source="configmap"\} [1-9]/m);
  });

  it("is not ready while Redis is down, naming it, and ready again when it is back", async () => {
    redisDown = true;
    await w.redis.kill();
    const down = await waitFor("readiness to fail on Redis", async () => {
      const res = await httpGet(`${baseUrl}/readyz`);
      return res.status === 503 ? res : undefined;
    });
    expect(down.body).toMatch(/\[-\]redis /);
    expect(down.body).toMatch(/not ready: redis\n$/);
    // still alive: a restart would not bring Redis back
    expect((await httpGet(`${baseUrl}/healthz`)).status).toBe(200);

    await w.redis.restart();
    redisDown = false;
    await waitFor(
      "readiness after Redis is back",
      async () => ((await httpGet(`${baseUrl}/readyz`)).status === 200 ? true : undefined),
      30_000,
    );
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    expect((await httpGet(`${baseUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/metrics`, { method: "POST" })).status).toBe(405);
  });
});
