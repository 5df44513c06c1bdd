// Logs of a real `rollouts-notifier run` (debug level) delivering a canary rollout while most destinations
// refuse it: Slack answers invalid_auth to a revoked token, both webhooks answer 401 (one echoing the
// credentials it got, as some servers do), PagerDuty answers 401, and Slack's first post fails with a 503 and
// is retried. Every log line about a notification names the object, trigger, service and recipient; no secret
// (Slack tokens, basic-auth password, bearer token, routing key, signing secret) appears in any log line, in
// /metrics, or in `dlq list` output.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  httpGet,
  type NotifierWorld,
  parseMetrics,
  playCanary,
  SECRETS,
  sampleValue,
  startRun,
  startWorld,
  stopProcess,
  waitFor,
  writeServiceConfig,
} from "../server/notifier-under-test.ts";
import type { NotifierProcess } from "../support/notifier-process.ts";

const run = promisify(execFile);
const PER_SERVICE = 5; // updated ×2, completed ×2, aborted ×1
const REFUSING = ["revoked", "basic-hook", "bearer-hook", "pagerdutyv2"];

/** Every secret, and the encoded forms that travel in headers. */
const FORBIDDEN = [
  ...Object.values(SECRETS),
  Buffer.from(`notifier:${SECRETS.basicAuthPassword}`).toString("base64"),
  // a long-enough piece of each secret, in case something truncates or re-encodes around it
  ...Object.values(SECRETS).map((s) => s.slice(4, 20)),
];

function leaks(text: string): string[] {
  return FORBIDDEN.filter((secret) => text.includes(secret));
}

describe("delivery logs and secrets of rollouts-notifier run", () => {
  let w: NotifierWorld;
  let proc: NotifierProcess;
  let baseUrl: string;
  let metricsText: string;
  let uid: string;
  const rollout = "canary-demo-l1";

  beforeAll(async () => {
    w = await startWorld();
    writeServiceConfig(w);
    w.basicHook.status = 401;
    w.bearerHook.status = 401;
    // a server that echoes what it got in its error body
    w.bearerHook.fail(
      { status: 401, body: `invalid credentials: Bearer ${SECRETS.bearerToken} (${SECRETS.signingSecret})` },
      PER_SERVICE,
    );
    w.pagerduty.fail({ status: 401 }, 1000);
    w.slack.fail("chat.postMessage", { status: 503 }, 1);
    ({ proc, baseUrl } = await startRun(w, { LOG_LEVEL: "debug" }));
    await proc.waitForLog((l) => l.msg === "informers synced");
    ({ uid } = playCanary(w, "l1"));
    metricsText = await waitFor(
      "every delivery to end (delivered or dead-lettered)",
      async () => {
        const body = (await httpGet(`${baseUrl}/metrics`)).body;
        const s = parseMetrics(body);
        const done =
          sampleValue(s, "rollouts_notifier_notifications_delivered_total", { service: "slack" }) ===
            PER_SERVICE &&
          REFUSING.every(
            (service) =>
              sampleValue(s, "rollouts_notifier_notifications_dead_lettered_total", { service }) ===
              PER_SERVICE,
          );
        return done ? body : undefined;
      },
      60_000,
    );
  }, 90_000);

  afterAll(async () => {
    await stopProcess(proc);
    await w?.stop();
  });

  const carriesContext = (line: Record<string, unknown>) =>
    typeof line.trigger === "string" &&
    typeof line.recipient === "string" &&
    typeof line.service === "string" &&
    typeof line.object === "object";

  it("the delivery log (enqueued, delivered, failed, retry, dead-lettered) names the object, trigger, service and recipient", () => {
    const about = proc.logs.filter((l) => typeof l.jobId === "string" && l.component === undefined);
    const messages = new Set(about.map((l) => l.msg));
    expect([...messages].sort()).toEqual(
      [
        "delivery failed",
        "delivery retry scheduled",
        "notification dead-lettered (see `rollouts-notifier dlq list`)",
        "notification delivered",
        "notification enqueued",
      ].sort(),
    );
    for (const line of about) {
      expect(line.object, JSON.stringify(line)).toEqual({
        kind: "Rollout",
        namespace: "demo",
        name: rollout,
        uid,
      });
      expect(line.trigger, JSON.stringify(line)).toMatch(/^on-rollout-(updated|completed|aborted)$/);
      expect(["slack", ...REFUSING], JSON.stringify(line)).toContain(line.service);
      expect(carriesContext(line), JSON.stringify(line)).toBe(true);
    }
    const recipients = new Map(about.map((l) => [l.service, l.recipient]));
    expect(Object.fromEntries(recipients)).toEqual({
      slack: "deploys",
      revoked: "deploys",
      "basic-hook": "",
      "bearer-hook": "",
      pagerdutyv2: "payments-oncall",
    });
  });

  // Every component (worker, sinks) names the object, trigger, service and recipient on lines about a job.
  it("every line about a notification, from any component, names the object, trigger and recipient", () => {
    for (const line of proc.logs.filter((l) => typeof l.jobId === "string")) {
      expect(carriesContext(line), JSON.stringify(line)).toBe(true);
    }
  });

  it("failure lines say why (code and message) without the credentials", () => {
    const failed = proc.logs.filter((l) => l.msg === "delivery failed");
    expect(new Set(failed.map((l) => l.service))).toEqual(new Set(REFUSING.concat("slack")));
    const codes = new Map(failed.map((l) => [l.service, l.code]));
    expect(codes.get("revoked")).toBe("invalid_auth");
    // the server's echo of the credentials is kept, minus the credentials
    const echoed = failed.find((l) => l.service === "bearer-hook");
    expect(echoed?.error).toContain("invalid credentials: Bearer [redacted] ([redacted])");
    for (const l of failed) expect(typeof l.error, JSON.stringify(l)).toBe("string");
    const dead = proc.logs.filter(
      (l) => l.msg === "notification dead-lettered (see `rollouts-notifier dlq list`)",
    );
    expect(dead).toHaveLength(PER_SERVICE * REFUSING.length);
  });

  it("no secret appears in any log line", () => {
    expect(proc.logs.length).toBeGreaterThan(50);
    for (const line of proc.logs) {
      const text = JSON.stringify(line);
      expect(leaks(text), text).toEqual([]);
    }
  });

  it("no secret appears in /metrics", async () => {
    expect(leaks(metricsText)).toEqual([]);
    expect(leaks((await httpGet(`${baseUrl}/metrics`)).body)).toEqual([]);
  });

  it("no secret appears in `dlq list` (table and --json)", async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ["src/cli/main.ts", "dlq", "list", "--redis-url", w.redis.url, ...args]);
    const table = await cli();
    expect(table.stdout).toContain(`${PER_SERVICE * REFUSING.length} dead letter(s)`);
    expect(table.stdout).toContain("invalid_auth");
    expect(leaks(table.stdout + table.stderr)).toEqual([]);
    const json = await cli("--json");
    const letters = JSON.parse(json.stdout) as unknown[];
    expect(letters).toHaveLength(PER_SERVICE * REFUSING.length);
    expect(leaks(json.stdout + json.stderr)).toEqual([]);
  });

  it("the secrets did reach the services (so the checks above are meaningful)", () => {
    const basic = w.basicHook.requests[0]!;
    expect(basic.headers.authorization).toBe(
      `Basic ${Buffer.from(`notifier:${SECRETS.basicAuthPassword}`).toString("base64")}`,
    );
    expect(w.bearerHook.requests[0]!.headers.authorization).toBe(`Bearer ${SECRETS.bearerToken}`);
    // (the fake PagerDuty does not record requests it refuses; the routing key in the event body is covered by
    // test/sinks/pagerduty-sink.test.ts)
  });
});
