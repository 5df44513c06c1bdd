import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { type Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { RedisSlackState } from "../../src/sinks/slack/redis-slack-state.ts";
import { SlackSink, UNREPLICATED_POST_AFTER_MS } from "../../src/sinks/slack/slack-sink.ts";
import { InMemorySlackState } from "../../src/sinks/slack/slack-state.ts";
import type { SlackMessage, SlackServiceConfig } from "../../src/sinks/slack/slack-types.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

const logger = createLogger({ level: "silent" });
const TIMEOUT_MS = 300;

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe("slack sink", () => {
  let slack: FakeSlack;
  let redis: RedisHarness;
  let dispatchers: HttpDispatchers;
  let service: SlackServiceConfig;
  let jobSeq = 0;
  let prefix = "";
  let shared: Redis;

  /** A sink as a (re)started worker would build it: fresh Slack client and state, same Redis. */
  const newSink = (client: Redis = shared) =>
    new SlackSink({
      state: new RedisSlackState(client, { keyPrefix: prefix }),
      dispatchers,
      logger,
      timeoutMs: TIMEOUT_MS,
    });

  const delivery = (
    channel: string,
    slackMsg: Partial<SlackMessage> = {},
    jobId = `job-${++jobSeq}`,
  ): Delivery<SlackServiceConfig> => ({
    jobId,
    destination: { service: "slack", recipient: channel },
    service,
    notification: { message: slackMsg.text ?? "hello", slack: { text: "hello", ...slackMsg } },
  });

  beforeAll(async () => {
    [slack, redis] = await Promise.all([
      FakeSlack.start({
        channels: [{ name: "alerts" }, { name: "deploys" }, { name: "outsiders", member: false }],
      }),
      startRedis(),
    ]);
    shared = redis.client();
    dispatchers = new HttpDispatchers();
    service = { type: "slack", name: "slack", token: slack.token, apiURL: slack.apiURL };
  });
  afterAll(async () => {
    await dispatchers.close();
    await slack.close();
    await redis.stop();
  });
  beforeEach((ctx) => {
    // Each test its own key space, so thread roots and channel ids from other tests do not leak in.
    prefix = `t:${ctx.task.id}:`;
  });

  it("posts by channel name (with or without #) and by id, with text, blocks, attachments, username and icon", async () => {
    const sink = newSink();
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*done*" } }];
    const attachments = [{ color: "#18be52", title: "guestbook" }];
    const r1 = await sink.deliver(
      delivery("#alerts", { text: "one", blocks, username: "argo", icon: ":rocket:" }),
    );
    const r2 = await sink.deliver(
      delivery("alerts", { text: "two", attachments, icon: "https://x.test/i.png" }),
    );
    const id = slack.channel("deploys").id;
    const r3 = await sink.deliver(delivery(id, { text: "three" }));
    const alerts = slack.messages("alerts");
    expect(alerts.map((m) => [m.ts, m.text])).toEqual([
      [r1.ref, "one"],
      [r2.ref, "two"],
    ]);
    expect(alerts[0]).toMatchObject({ blocks, username: "argo", icon_emoji: ":rocket:" });
    expect(alerts[1]).toMatchObject({ attachments, icon_url: "https://x.test/i.png" });
    expect(slack.messages("deploys").map((m) => [m.ts, m.text])).toEqual([[r3.ref, "three"]]);
    expect(alerts[0]!.metadata).toEqual({
      event_type: "rollouts_notifier_delivery",
      event_payload: { job_id: `job-${jobSeq - 2}` },
    });
    // @slack/web-api sends form-encoded bodies with the token in the Authorization header
    expect(slack.callsOf("chat.postMessage").at(-1)!.contentType).toContain(
      "application/x-www-form-urlencoded",
    );
  });

  it("uses the service username and icon when the template has none", async () => {
    const sink = newSink();
    const svc = { ...service, username: "rollouts", icon: ":argo:" };
    await sink.deliver({ ...delivery("deploys", { text: "svc defaults" }), service: svc });
    expect(slack.messages("deploys").at(-1)).toMatchObject({ username: "rollouts", icon_emoji: ":argo:" });
  });

  it("PostAndUpdate: root, replies in its thread and root updates, across a restart (same Redis)", async () => {
    const msg = (text: string): Partial<SlackMessage> => ({
      text,
      groupingKey: "guestbook-rev-3",
      deliveryPolicy: "PostAndUpdate",
    });
    const before = slack.messages("alerts").length;
    const first = newSink();
    const root = await first.deliver(delivery("#alerts", msg("rollout updated")));
    await first.deliver(delivery("#alerts", msg("step 1/3 completed")));
    // restart: new sink, new Redis connection, same Redis
    const second = newSink(redis.client());
    await second.deliver(delivery("#alerts", msg("step 2/3 completed")));
    await second.deliver(delivery("#alerts", msg("rollout completed")));

    const thread = slack.thread("alerts", root.ref!);
    expect(thread.map((m) => m.text)).toEqual([
      "rollout updated",
      "step 1/3 completed",
      "step 2/3 completed",
      "rollout completed",
    ]);
    expect(thread.slice(1).every((m) => m.thread_ts === root.ref)).toBe(true);
    expect(thread[0]!.updates.map((u) => u.text)).toEqual([
      "step 1/3 completed",
      "step 2/3 completed",
      "rollout completed",
    ]);
    expect(FakeSlack.current(thread[0]!).text).toBe("rollout completed");
    // only one new top-level message
    expect(slack.messages("alerts").length).toBe(before + 1);
  });

  it("Post: replies in the thread, root untouched; notifyBroadcast sets reply_broadcast", async () => {
    const sink = newSink();
    const m = (text: string, notifyBroadcast = false): Partial<SlackMessage> => ({
      text,
      groupingKey: "g-post",
      deliveryPolicy: "Post",
      notifyBroadcast,
    });
    const root = await sink.deliver(delivery("deploys", m("root")));
    await sink.deliver(delivery("deploys", m("reply", true)));
    const thread = slack.thread("deploys", root.ref!);
    expect(thread.map((x) => [x.text, x.reply_broadcast ?? false])).toEqual([
      ["root", false],
      ["reply", true],
    ]);
    expect(thread[0]!.updates).toEqual([]);
  });

  it("Update: the first message posts the root, later ones only update it", async () => {
    const sink = newSink();
    const m = (text: string): Partial<SlackMessage> => ({
      text,
      groupingKey: "g-upd",
      deliveryPolicy: "Update",
    });
    const root = await sink.deliver(delivery("deploys", m("v1")));
    const r2 = await sink.deliver(delivery("deploys", m("v2")));
    const r3 = await sink.deliver(delivery("deploys", m("v3")));
    expect([r2.ref, r3.ref]).toEqual([root.ref, root.ref]);
    expect(slack.thread("deploys", root.ref!).map((x) => x.text)).toEqual(["v1"]);
    expect(slack.thread("deploys", root.ref!)[0]!.updates.map((u) => u.text)).toEqual(["v2", "v3"]);
  });

  it("a root that can no longer be updated is forgotten: the next message starts a new thread", async () => {
    const sink = newSink();
    const m = (text: string): Partial<SlackMessage> => ({
      text,
      groupingKey: "g-gone",
      deliveryPolicy: "Update",
    });
    await sink.deliver(delivery("deploys", m("v1")));
    slack.fail("chat.update", { error: "message_not_found" });
    expect(await deliveryError(sink.deliver(delivery("deploys", m("v2"))))).toMatchObject({
      transient: false,
      code: "message_not_found",
    });
    const fresh = await sink.deliver(delivery("deploys", m("v3")));
    expect(slack.thread("deploys", fresh.ref!).map((x) => x.text)).toEqual(["v3"]);
  });

  describe("exactly once", () => {
    it("a job delivered again after success does not post again", async () => {
      const sink = newSink();
      const d = delivery("alerts", { text: "once" });
      const r1 = await sink.deliver(d);
      const r2 = await newSink().deliver(d);
      expect(r2).toEqual(r1);
      expect(slack.messages("alerts").filter((m) => m.text === "once")).toHaveLength(1);
    });

    it("a timeout after Slack accepted the post: the retry finds it in history instead of posting again", async () => {
      const d = delivery("alerts", { text: "slow accept" });
      slack.fail("chat.postMessage", { acceptThenDelayMs: TIMEOUT_MS * 3 });
      const e = await deliveryError(newSink().deliver(d));
      expect(e).toMatchObject({ transient: true, code: "timeout" });
      expect(slack.messages("alerts").filter((m) => m.text === "slow accept")).toHaveLength(1);

      const historyCalls = slack.callsOf("conversations.history").length;
      const retry = await newSink().deliver(d); // another worker picks the job up
      const posted = slack.messages("alerts").filter((m) => m.text === "slow accept");
      expect(posted).toHaveLength(1);
      expect(retry.ref).toBe(posted[0]!.ts);
      expect(slack.callsOf("conversations.history").length).toBe(historyCalls + 1);
    });

    it("a timed-out thread reply is found among the thread's replies", async () => {
      const sink = newSink();
      const m = (text: string): Partial<SlackMessage> => ({
        text,
        groupingKey: "g-reply",
        deliveryPolicy: "PostAndUpdate",
      });
      const root = await sink.deliver(delivery("alerts", m("root")));
      const d = delivery("alerts", m("slow reply"));
      slack.fail("chat.postMessage", { acceptThenDelayMs: TIMEOUT_MS * 3 });
      expect((await deliveryError(sink.deliver(d))).transient).toBe(true);
      await newSink().deliver(d);
      const thread = slack.thread("alerts", root.ref!);
      expect(thread.map((x) => x.text)).toEqual(["root", "slow reply"]);
      expect(thread[0]!.updates.map((u) => u.text)).toEqual(["slow reply"]);
      expect(slack.callsOf("conversations.replies").length).toBeGreaterThan(0);
    });

    it("the first post to a channel name that timed out: the channel id is found through paginated conversations.list", async () => {
      for (let i = 0; i < 7; i++) slack.addChannel({ name: `filler-${i}` });
      const late = slack.addChannel({ name: "late-channel" });
      slack.listPageSize = 3;
      try {
        const d = delivery("#late-channel", { text: "first ever" });
        slack.fail("chat.postMessage", { acceptThenDelayMs: TIMEOUT_MS * 3 });
        expect((await deliveryError(newSink().deliver(d))).transient).toBe(true);
        const listCalls = slack.callsOf("conversations.list").length;
        await newSink().deliver(d);
        expect(slack.messages(late.id).map((m) => m.text)).toEqual(["first ever"]);
        expect(slack.callsOf("conversations.list").length - listCalls).toBeGreaterThan(1);
      } finally {
        slack.listPageSize = 100;
      }
    });

    it("a timeout where Slack did not take the post: the retry posts it (once)", async () => {
      const d = delivery("alerts", { text: "never arrived" });
      slack.fail("chat.postMessage", { reset: true });
      expect((await deliveryError(newSink().deliver(d))).transient).toBe(true);
      await newSink().deliver(d);
      expect(slack.messages("alerts").filter((m) => m.text === "never arrived")).toHaveLength(1);
    });

    it("a post still in flight on another worker: transient, retry after its deadline", async () => {
      const client = shared;
      const state = new RedisSlackState(client, { keyPrefix: prefix });
      const d = delivery("alerts", { text: "in flight" });
      const now = Date.now();
      await state.putPost("slack", d.jobId, {
        state: "posting",
        startedAt: now,
        deadline: now + 5_000,
        post: true,
      });
      const e = await deliveryError(newSink(client).deliver(d));
      expect(e).toMatchObject({ transient: true, code: "in_flight" });
      expect(e.retryAfterMs).toBeGreaterThan(3_000);
      expect(e.retryAfterMs).toBeLessThanOrEqual(5_000);
    });

    it("a worker killed mid-post (stale in-flight record) before Slack got it: the retry posts once", async () => {
      const client = shared;
      const state = new RedisSlackState(client, { keyPrefix: prefix });
      const d = delivery("alerts", { text: "killed before send" });
      const past = Date.now() - 60_000;
      await state.putPost("slack", d.jobId, {
        state: "posting",
        startedAt: past,
        deadline: past + 1,
        post: true,
      });
      await newSink(client).deliver(d);
      expect(slack.messages("alerts").filter((m) => m.text === "killed before send")).toHaveLength(1);
    });

    it("PostAndUpdate whose update failed: the retry updates the root without posting the reply again", async () => {
      const sink = newSink();
      const m = (text: string): Partial<SlackMessage> => ({
        text,
        groupingKey: "g-upd-fail",
        deliveryPolicy: "PostAndUpdate",
      });
      const root = await sink.deliver(delivery("alerts", m("root")));
      const d = delivery("alerts", m("second"));
      slack.fail("chat.update", { status: 503 });
      expect(await deliveryError(sink.deliver(d))).toMatchObject({ transient: true, code: "http_503" });
      await newSink().deliver(d);
      const thread = slack.thread("alerts", root.ref!);
      expect(thread.map((x) => x.text)).toEqual(["root", "second"]);
      expect(thread[0]!.updates.map((u) => u.text)).toEqual(["second"]);
    });

    it("two attempts of one job at once (a stalled job run again): one posts, the other is told to retry", async () => {
      const d = delivery("alerts", { text: "stalled twice" });
      slack.fail("chat.postMessage", { delayMs: 100 });
      const [a, b] = await Promise.allSettled([newSink().deliver(d), newSink().deliver(d)]);
      const failed = [a, b].filter((r) => r.status === "rejected");
      expect(failed).toHaveLength(1);
      expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({
        transient: true,
        code: "in_flight",
      });
      expect(slack.messages("alerts").filter((m) => m.text === "stalled twice")).toHaveLength(1);
      // the claim was released: the retry finds the journal's "done" and does not post again
      await newSink().deliver(d);
      expect(slack.messages("alerts").filter((m) => m.text === "stalled twice")).toHaveLength(1);
    });

    it("the same with the in-memory state (demo, replay)", async () => {
      const sink = new SlackSink({
        state: new InMemorySlackState(),
        dispatchers,
        logger,
        timeoutMs: TIMEOUT_MS,
      });
      const d = delivery("alerts", { text: "stalled twice in memory" });
      slack.fail("chat.postMessage", { delayMs: 100 });
      const results = await Promise.allSettled([sink.deliver(d), sink.deliver(d)]);
      expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
      expect(slack.messages("alerts").filter((m) => m.text === "stalled twice in memory")).toHaveLength(1);
    });

    it("behind a replica: no post until a replica has the journal entry; after 30 s without one, posts with a warning", {
      timeout: 90_000,
    }, async () => {
      const replica = await startRedis({ replicaOf: redis.port });
      const replicaClient = replica.client();
      let now = Date.now();
      const warnings: string[] = [];
      const warnLogger = createLogger({
        level: "warn",
        destination: new Writable({
          write(chunk, _enc, cb) {
            warnings.push(String(chunk));
            cb();
          },
        }),
      });
      const sinkWith = (state: RedisSlackState) =>
        new SlackSink({ state, dispatchers, logger: warnLogger, timeoutMs: TIMEOUT_MS, now: () => now });
      // a generous wait: on a loaded host an in-sync replica can take a while to confirm
      const state = new RedisSlackState(shared, {
        keyPrefix: prefix,
        waitForReplica: true,
        replicaWaitMs: 3_000,
        now: () => now,
      });
      const waitSynced = async () => {
        for (let i = 0; i < 100; i++) {
          if (/master_link_status:up/.test(await replicaClient.info("replication"))) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("replica did not sync");
      };
      try {
        await waitSynced();
        const count = (text: string) => slack.messages("alerts").filter((m) => m.text === text).length;
        await sinkWith(state).deliver(delivery("alerts", { text: "replicated" }));
        expect(count("replicated")).toBe(1);

        // the replica stops replicating (as a promoted one does): the post waits
        await replicaClient.replicaof("NO", "ONE");
        const d = delivery("alerts", { text: "held back" });
        const e = await deliveryError(sinkWith(state).deliver(d));
        expect(e).toMatchObject({ transient: true, code: "journal_unreplicated" });
        expect(count("held back")).toBe(0);

        // replicating again: the retry posts, once
        await replicaClient.replicaof("127.0.0.1", String(redis.port));
        await waitSynced();
        await sinkWith(state).deliver(d);
        expect(count("held back")).toBe(1);

        // a replica gone for good: after 30 s of no confirmation posts go ahead, with a warning
        await replicaClient.replicaof("NO", "ONE");
        const late = delivery("alerts", { text: "replica gone" });
        await deliveryError(sinkWith(state).deliver(late));
        now += UNREPLICATED_POST_AFTER_MS;
        await sinkWith(state).deliver(late);
        expect(count("replica gone")).toBe(1);
        expect(warnings.join("")).toContain("no Redis replica has confirmed the post journal");
      } finally {
        replicaClient.disconnect();
        await replica.stop();
      }
    });

    it("a rate-limited post is retried without history lookups and posts once", async () => {
      const d = delivery("alerts", { text: "after 429" });
      slack.fail("chat.postMessage", { status: 429, retryAfterSec: 1 });
      expect((await deliveryError(newSink().deliver(d))).code).toBe("ratelimited");
      const history = slack.callsOf("conversations.history").length;
      await newSink().deliver(d);
      expect(slack.callsOf("conversations.history").length).toBe(history);
      expect(slack.messages("alerts").filter((m) => m.text === "after 429")).toHaveLength(1);
    });
  });

  describe("error mapping", () => {
    it.each([
      ["not_in_channel", false],
      ["channel_not_found", false],
      ["invalid_auth", false],
      ["account_inactive", false],
      ["invalid_blocks", false],
      ["ratelimited", true],
      ["internal_error", true],
      ["service_unavailable", true],
    ])("API error %s → transient=%s", async (code, transient) => {
      slack.fail("chat.postMessage", { error: code });
      const e = await deliveryError(newSink().deliver(delivery("alerts", { text: code })));
      expect(e).toMatchObject({ transient, code });
      expect(e.message).toContain(code);
    });

    it("real validation: unknown channel, channel the bot is not in, wrong token, invalid blocks", async () => {
      const sink = newSink();
      expect((await deliveryError(sink.deliver(delivery("#nope")))).code).toBe("channel_not_found");
      expect((await deliveryError(sink.deliver(delivery("outsiders")))).code).toBe("not_in_channel");
      expect(
        (await deliveryError(sink.deliver(delivery("alerts", { blocks: [{ text: "no type" }] })))).code,
      ).toBe("invalid_blocks");
      const wrong = { ...delivery("alerts"), service: { ...service, token: "xoxb-wrong" } };
      const e = await deliveryError(sink.deliver(wrong));
      expect(e).toMatchObject({ transient: false, code: "invalid_auth" });
      expect(e.message).not.toContain("xoxb-wrong");
    });

    it("HTTP 429 honours Retry-After; 5xx, resets and an unreachable API are transient", async () => {
      slack.fail("chat.postMessage", { status: 429, retryAfterSec: 7 });
      expect(await deliveryError(newSink().deliver(delivery("alerts")))).toMatchObject({
        transient: true,
        retryAfterMs: 7_000,
      });
      slack.fail("chat.postMessage", { status: 500 });
      expect(await deliveryError(newSink().deliver(delivery("alerts")))).toMatchObject({
        transient: true,
        code: "http_500",
      });
      slack.fail("chat.postMessage", { reset: true });
      expect((await deliveryError(newSink().deliver(delivery("alerts")))).transient).toBe(true);
      await slack.down(60_000, "refuse");
      try {
        expect(await deliveryError(newSink().deliver(delivery("alerts")))).toMatchObject({
          transient: true,
          code: "network_error",
        });
      } finally {
        await slack.up();
      }
    });

    it("a Slack service from a namespace's self-service config may not point apiURL at a private address", async () => {
      const calls = slack.calls.length;
      const e = await deliveryError(newSink().deliver({ ...delivery("alerts"), tenantNamespace: "team-a" }));
      expect(e).toMatchObject({ transient: false, code: "blocked_address" });
      expect(slack.calls.length).toBe(calls);
      const open = new SlackSink({
        state: new RedisSlackState(shared, { keyPrefix: prefix }),
        dispatchers,
        logger,
        allowPrivateNetworks: true,
      });
      await expect(open.deliver({ ...delivery("alerts"), tenantNamespace: "team-a" })).resolves.toBeDefined();
    });

    it("a message with nothing to show is a permanent error before any call", async () => {
      const calls = slack.calls.length;
      const d = delivery("alerts", { text: "" });
      d.notification.message = "";
      expect(await deliveryError(newSink().deliver(d))).toMatchObject({
        transient: false,
        code: "invalid_message",
      });
      expect(slack.calls.length).toBe(calls);
    });
  });
});
