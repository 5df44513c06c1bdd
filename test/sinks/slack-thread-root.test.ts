// Slack sink with the templates' `threadRoot` (src/templates/notification.ts, "What the Slack sink is expected to
// do"): the first message of a group posts the root from threadRoot and the message as the first reply; later
// PostAndUpdate messages reply and update the root with threadRoot; Update only updates it; Post only replies.
// Exactly once across retries of the two-step first delivery.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { type Delivery, DeliveryError } from "../../src/sinks/sink.ts";
import { RedisSlackState } from "../../src/sinks/slack/redis-slack-state.ts";
import { SlackSink } from "../../src/sinks/slack/slack-sink.ts";
import {
  InMemorySlackState,
  type SlackPostRecord,
  type SlackState,
} from "../../src/sinks/slack/slack-state.ts";
import type { SlackMessage, SlackServiceConfig } from "../../src/sinks/slack/slack-types.ts";
import { FakeSlack, type FakeSlackMessage } from "../support/fake-slack.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

const logger = createLogger({ level: "silent" });
const TIMEOUT_MS = 300;
const LATER_MS = 60_000;

/** Redis state whose next journal write matching `when` fails, as if the worker died right before it. */
class CrashingState extends RedisSlackState {
  crashWhen: ((jobId: string, rec: SlackPostRecord) => boolean) | undefined;
  override async putPost(service: string, jobId: string, rec: SlackPostRecord): Promise<void> {
    if (this.crashWhen?.(jobId, rec)) {
      this.crashWhen = undefined;
      throw new Error("worker killed");
    }
    return super.putPost(service, jobId, rec);
  }
}

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

const attachment = (state: string) => [
  { color: "#439FE0", blocks: [{ type: "section", text: { type: "mrkdwn", text: state } }] },
];

describe("slack sink: threadRoot", () => {
  let slack: FakeSlack;
  let redis: RedisHarness;
  let dispatchers: HttpDispatchers;
  let service: SlackServiceConfig;
  let shared: Redis;
  let prefix = "";
  let jobSeq = 0;

  const newSink = (opts: { client?: Redis; state?: SlackState; now?: () => number } = {}) =>
    new SlackSink({
      state: opts.state ?? new RedisSlackState(opts.client ?? shared, { keyPrefix: prefix }),
      dispatchers,
      logger,
      timeoutMs: TIMEOUT_MS,
      ...(opts.now ? { now: opts.now } : {}),
    });
  /** A worker started after every deadline of the previous attempts passed. */
  const laterSink = (state?: SlackState) =>
    newSink({ ...(state ? { state } : {}), now: () => Date.now() + LATER_MS });

  /** A built-in-template-shaped message: the event as the message, the revision's state as threadRoot. */
  const revisionEvent = (
    event: string,
    rootState: string,
    over: Partial<SlackMessage> = {},
    jobId = `job-${++jobSeq}`,
    channel = "alerts",
  ): Delivery<SlackServiceConfig> => ({
    jobId,
    destination: { service: "slack", recipient: channel },
    service,
    notification: {
      message: event,
      slack: {
        text: event,
        groupingKey: "default/guestbook/3",
        deliveryPolicy: "PostAndUpdate",
        threadRoot: { text: `guestbook revision 3: ${rootState}`, attachments: attachment(rootState) },
        ...over,
      },
    },
  });

  const rootsOf = (channel: string, since: number): FakeSlackMessage[] =>
    slack.messages(channel).slice(since);

  beforeAll(async () => {
    [slack, redis] = await Promise.all([
      FakeSlack.start({ channels: [{ name: "alerts" }, { name: "deploys" }] }),
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
    prefix = `t:${ctx.task.id}:`;
  });

  it("first message posts the root from threadRoot and replies; later ones reply and update the root, across a restart", async () => {
    const before = slack.messages("alerts").length;
    const first = newSink();
    const r1 = await first.deliver(revisionEvent("updated to revision 3", "Progressing"));
    await first.deliver(revisionEvent("step 1/2 completed", "Progressing (step 1/2)"));
    // restart: new sink, new Redis connection, same Redis
    const second = newSink({ client: redis.client() });
    await second.deliver(revisionEvent("paused", "Paused (step 1/2)"));
    await second.deliver(revisionEvent("revision 3 completed", "Completed"));

    const roots = rootsOf("alerts", before);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.text).toBe("guestbook revision 3: Progressing");
    expect(root.attachments).toEqual(attachment("Progressing"));
    const thread = slack.thread("alerts", root.ts);
    expect(thread.map((m) => m.text)).toEqual([
      "guestbook revision 3: Progressing",
      "updated to revision 3",
      "step 1/2 completed",
      "paused",
      "revision 3 completed",
    ]);
    expect(thread.slice(1).every((m) => m.thread_ts === root.ts)).toBe(true);
    expect(r1.ref).toBe(thread[1]!.ts); // the receipt names this job's message (the first reply)
    // the first delivery posted the root with threadRoot already: no update for it
    expect(root.updates.map((u) => u.text)).toEqual([
      "guestbook revision 3: Progressing (step 1/2)",
      "guestbook revision 3: Paused (step 1/2)",
      "guestbook revision 3: Completed",
    ]);
    expect(FakeSlack.current(root)).toEqual({
      text: "guestbook revision 3: Completed",
      attachments: attachment("Completed"),
    });
    // replies carry the event, not the root state
    expect(thread[2]!.attachments).toBeUndefined();
  });

  it("Update only updates the root with threadRoot; Post only replies", async () => {
    const before = slack.messages("deploys").length;
    const sink = newSink();
    const ch = "deploys";
    await sink.deliver(revisionEvent("updated", "Progressing", {}, undefined, ch));
    const u = await sink.deliver(
      revisionEvent("scaling", "Progressing (scaled)", { deliveryPolicy: "Update" }, undefined, ch),
    );
    await sink.deliver(
      revisionEvent("analysis started", "Analysing", { deliveryPolicy: "Post" }, undefined, ch),
    );
    const [root] = rootsOf(ch, before);
    expect(u.ref).toBe(root!.ts);
    expect(slack.thread(ch, root!.ts).map((m) => m.text)).toEqual([
      "guestbook revision 3: Progressing",
      "updated",
      "analysis started",
    ]);
    expect(root!.updates.map((u) => u.text)).toEqual(["guestbook revision 3: Progressing (scaled)"]);
  });

  it("Update as the first message of a group also posts the root and the message as its first reply", async () => {
    const before = slack.messages("deploys").length;
    await newSink().deliver(
      revisionEvent(
        "scaling",
        "Progressing",
        { deliveryPolicy: "Update", groupingKey: "g-update-first" },
        undefined,
        "deploys",
      ),
    );
    const [root] = rootsOf("deploys", before);
    expect(slack.thread("deploys", root!.ts).map((m) => m.text)).toEqual([
      "guestbook revision 3: Progressing",
      "scaling",
    ]);
    expect(root!.updates).toEqual([]);
  });

  it("without threadRoot: upstream behaviour (the message is the root and the update content)", async () => {
    const before = slack.messages("alerts").length;
    const sink = newSink();
    const plain = (text: string) => {
      const d = revisionEvent(text, "unused", { groupingKey: "g-plain" });
      delete d.notification.slack!.threadRoot;
      return d;
    };
    await sink.deliver(plain("first"));
    await sink.deliver(plain("second"));
    const [root] = rootsOf("alerts", before);
    expect(slack.thread("alerts", root!.ts).map((m) => m.text)).toEqual(["first", "second"]);
    expect(root!.updates.map((u) => u.text)).toEqual(["second"]);
  });

  it("threadRoot without a groupingKey is ignored: one plain message", async () => {
    const before = slack.messages("alerts").length;
    const d = revisionEvent("no group", "Progressing");
    delete d.notification.slack!.groupingKey;
    await newSink().deliver(d);
    expect(rootsOf("alerts", before).map((m) => [m.text, m.thread_ts])).toEqual([["no group", undefined]]);
  });

  it("works with the in-memory state (no Redis)", async () => {
    const state = new InMemorySlackState();
    const before = slack.messages("alerts").length;
    const sink = newSink({ state });
    await sink.deliver(revisionEvent("a", "A", { groupingKey: "g-mem" }));
    await sink.deliver(revisionEvent("b", "B", { groupingKey: "g-mem" }));
    const [root] = rootsOf("alerts", before);
    expect(slack.thread("alerts", root!.ts).map((m) => m.text)).toEqual([
      "guestbook revision 3: A",
      "a",
      "b",
    ]);
    expect(FakeSlack.current(root!).text).toBe("guestbook revision 3: B");
  });

  it("a malformed threadRoot is a permanent error before any call", async () => {
    const calls = slack.calls.length;
    const d = revisionEvent("x", "X");
    d.notification.slack!.threadRoot = { text: "", attachments: {} as unknown as unknown[] };
    expect(await deliveryError(newSink().deliver(d))).toMatchObject({
      transient: false,
      code: "invalid_message",
    });
    expect(slack.calls.length).toBe(calls);
  });

  describe("exactly once across the two-step first delivery", () => {
    const expectOneRootWithReply = (channel: string, before: number, reply: string) => {
      const roots = rootsOf(channel, before);
      expect(roots.map((m) => m.text)).toEqual(["guestbook revision 3: Progressing"]);
      expect(slack.thread(channel, roots[0]!.ts).map((m) => m.text)).toEqual([
        "guestbook revision 3: Progressing",
        reply,
      ]);
    };

    it("worker killed after the root was posted, before it was journaled: the retry finds the root and only replies", async () => {
      const state = new CrashingState(shared, { keyPrefix: prefix });
      state.crashWhen = (jobId, rec) => jobId.endsWith("/thread-root") && rec.state === "posted";
      const before = slack.messages("alerts").length;
      const allBefore = slack.allMessages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      expect((await deliveryError(newSink({ state }).deliver(d))).transient).toBe(true);
      expect(
        slack
          .allMessages("alerts")
          .slice(allBefore)
          .map((m) => m.text),
      ).toEqual(["guestbook revision 3: Progressing"]);

      // a retry while the killed attempt's deadline has not passed waits
      expect(await deliveryError(newSink().deliver(d))).toMatchObject({ transient: true, code: "in_flight" });
      const history = slack.callsOf("conversations.history").length;
      await laterSink().deliver(d);
      expect(slack.callsOf("conversations.history").length).toBe(history + 1);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
      // and the thread continues normally
      await newSink().deliver(revisionEvent("step 1/2 completed", "Progressing (step 1/2)"));
      expect(slack.thread("alerts", rootsOf("alerts", before)[0]!.ts).map((m) => m.text)).toEqual([
        "guestbook revision 3: Progressing",
        "updated to revision 3",
        "step 1/2 completed",
      ]);
    });

    it("worker killed between the root and the reply: the retry posts the reply once, in the root's thread", async () => {
      const state = new CrashingState(shared, { keyPrefix: prefix });
      // the message's record gets the root's ts, then the worker dies before posting the reply
      state.crashWhen = (jobId, rec) =>
        !jobId.endsWith("/thread-root") && rec.state === "posting" && !rec.rootPending;
      const before = slack.messages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      expect((await deliveryError(newSink({ state }).deliver(d))).transient).toBe(true);
      expect(rootsOf("alerts", before)).toHaveLength(1);
      await laterSink().deliver(d);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
    });

    it("worker killed after the reply was posted, before it was journaled: the retry finds the reply", async () => {
      const state = new CrashingState(shared, { keyPrefix: prefix });
      state.crashWhen = (jobId, rec) => !jobId.endsWith("/thread-root") && rec.state === "posted";
      const before = slack.messages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      expect((await deliveryError(newSink({ state }).deliver(d))).transient).toBe(true);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
      const replies = slack.callsOf("conversations.replies").length;
      await laterSink().deliver(d);
      expect(slack.callsOf("conversations.replies").length).toBe(replies + 1);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
      // a further retry after success does nothing
      const posts = slack.callsOf("chat.postMessage").length;
      await laterSink().deliver(d);
      expect(slack.callsOf("chat.postMessage").length).toBe(posts);
    });

    it("a timeout after Slack took the root: the retry finds it in history and only replies", async () => {
      const before = slack.messages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      slack.fail("chat.postMessage", { acceptThenDelayMs: TIMEOUT_MS * 3 });
      expect(await deliveryError(newSink().deliver(d))).toMatchObject({ transient: true, code: "timeout" });
      expect(rootsOf("alerts", before)).toHaveLength(1);
      await newSink().deliver(d);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
    });

    it("a timeout after Slack took the first reply: the retry finds it among the replies", async () => {
      const before = slack.messages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      // the first postMessage (root) succeeds, the second (reply) is taken but answered too late
      slack.fail("chat.postMessage", { delayMs: 0 });
      slack.fail("chat.postMessage", { acceptThenDelayMs: TIMEOUT_MS * 3 });
      expect((await deliveryError(newSink().deliver(d))).transient).toBe(true);
      await newSink().deliver(d);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
    });

    it("a rejected root post (429) leaves nothing behind: the retry posts root and reply once", async () => {
      const before = slack.messages("alerts").length;
      const d = revisionEvent("updated to revision 3", "Progressing");
      slack.fail("chat.postMessage", { status: 429, retryAfterSec: 1 });
      expect((await deliveryError(newSink().deliver(d))).code).toBe("ratelimited");
      expect(rootsOf("alerts", before)).toHaveLength(0);
      await newSink().deliver(d);
      expectOneRootWithReply("alerts", before, "updated to revision 3");
    });
  });
});
