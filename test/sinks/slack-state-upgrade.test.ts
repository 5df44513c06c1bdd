// Slack state written before the common thread poster (roots as {channelId, ts}, journal records with
// ts/threadTs/updateTs) is read by the new sink: an existing thread keeps getting replies, and a job the journal
// says was posted is not posted again.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import type { Delivery } from "../../src/sinks/sink.ts";
import { RedisSlackState } from "../../src/sinks/slack/redis-slack-state.ts";
import { SlackSink } from "../../src/sinks/slack/slack-sink.ts";
import type { SlackMessage, SlackServiceConfig } from "../../src/sinks/slack/slack-types.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

const PREFIX = "t:slack-upgrade:";
const key = (kind: string, ...parts: string[]) =>
  `${PREFIX}${kind}:${createHash("sha256").update(parts.join("\u0000")).digest("hex")}`;

let slack: FakeSlack;
let redis: RedisHarness;
let client: Redis;
let dispatchers: HttpDispatchers;
let service: SlackServiceConfig;

beforeAll(async () => {
  [slack, redis] = await Promise.all([FakeSlack.start({ channels: [{ name: "deploys" }] }), startRedis()]);
  client = redis.client();
  dispatchers = new HttpDispatchers();
  service = { type: "slack", name: "slack", token: slack.token, apiURL: slack.apiURL };
});
afterAll(async () => {
  await dispatchers?.close();
  await slack?.close();
  await redis?.stop();
});

const sink = () =>
  new SlackSink({
    state: new RedisSlackState(client, { keyPrefix: PREFIX }),
    dispatchers,
    logger: createLogger({ level: "silent" }),
    timeoutMs: 1000,
  });
const delivery = (jobId: string, msg: Partial<SlackMessage>): Delivery<SlackServiceConfig> => ({
  jobId,
  destination: { service: "slack", recipient: "deploys" },
  service,
  notification: { message: msg.text ?? "", slack: { text: "", ...msg } },
});

it("replies under a root stored as {channelId, ts}, and skips a job a legacy record says was posted", async () => {
  const root = await sink().deliver(delivery("j-root", { text: "root" }));
  const channelId = slack.messages("deploys")[0]!.channel;
  await client.set(
    key("thread", "slack", "deploys", "g-legacy"),
    JSON.stringify({
      channelId,
      ts: root.ref,
      service: "slack",
      channel: "deploys",
      groupingKey: "g-legacy",
    }),
  );
  await sink().deliver(delivery("j-reply", { text: "reply", groupingKey: "g-legacy" }));
  expect(slack.thread("deploys", root.ref!).map((m) => m.text)).toEqual(["root", "reply"]);

  const now = Date.now();
  await client.set(
    key("post", "slack", "j-legacy"),
    JSON.stringify({ state: "posted", startedAt: now, deadline: 0, post: true, channelId, ts: root.ref }),
  );
  const again = await sink().deliver(delivery("j-legacy", { text: "must not be posted" }));
  expect(again.ref).toBe(root.ref);
  expect(slack.allMessages("deploys").map((m) => m.text)).toEqual(["root", "reply"]);
});
