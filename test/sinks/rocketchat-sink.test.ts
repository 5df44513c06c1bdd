// The Rocket.Chat sink logs in as upstream's client does before posting: a wrong password is a permanent login
// failure naming no secret, and nothing is posted.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { RocketChatSink } from "../../src/sinks/rocketchat/rocketchat-sink.ts";
import type { RocketChatServiceConfig } from "../../src/sinks/rocketchat/rocketchat-types.ts";
import { DeliveryError } from "../../src/sinks/sink.ts";
import type { Notification } from "../../src/templates/notification.ts";
import { FakeRocketChat } from "../support/fake-rocketchat.ts";

let rc: FakeRocketChat;
let dispatchers: HttpDispatchers;
beforeAll(async () => {
  rc = await FakeRocketChat.start({ user: "bot", password: "right-password-123", rooms: ["#deploys"] });
  dispatchers = new HttpDispatchers();
});
afterAll(async () => {
  await rc?.close();
  await dispatchers?.close();
});

it("a wrong password is a permanent login failure; nothing is posted", async () => {
  const service: RocketChatServiceConfig = {
    type: "rocketchat",
    name: "rc",
    email: "bot",
    password: "wrong-password-456",
    serverUrl: rc.url,
  };
  const sink = new RocketChatSink({ dispatchers, logger: createLogger({ level: "silent" }) });
  const err = await sink
    .deliver({
      jobId: "j1",
      destination: { service: "rc", recipient: "#deploys" },
      service,
      notification: { message: "hello" } as Notification,
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(DeliveryError);
  expect((err as DeliveryError).transient).toBe(false);
  expect((err as DeliveryError).message).toMatch(/login answered HTTP 401/);
  expect((err as DeliveryError).message).not.toContain("wrong-password-456");
  expect(rc.received).toEqual([]);
});
