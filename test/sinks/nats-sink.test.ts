// The NATS sink against a real nats-server (no proxy): the server's own refusals are permanent and named, an
// unreachable server is transient, and a message the server took arrives with the service's headers and the job id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { NatsSink } from "../../src/sinks/nats/nats-sink.ts";
import type { NatsServiceConfig } from "../../src/sinks/nats/nats-types.ts";
import type { Delivery } from "../../src/sinks/sink.ts";
import { freePort } from "../support/free-port.ts";
import { NatsStandIn } from "../support/nats-stand-in.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const USER = "rollouts";
const PASSWORD = "nats-sink-test-pass-0123456789";

let nats: NatsStandIn;
beforeAll(async () => {
  nats = await NatsStandIn.start({ username: USER, password: PASSWORD });
});
afterAll(async () => {
  await nats?.close();
});

const sink = () => new NatsSink({ logger: createLogger({ level: "silent" }), timeoutMs: 2000 });
const service = (over: Partial<NatsServiceConfig> = {}): NatsServiceConfig => ({
  type: "nats",
  name: "nats",
  url: nats.url,
  username: USER,
  password: PASSWORD,
  ...over,
});
const delivery = (
  svc: NatsServiceConfig,
  subject: string,
  message = "hello",
): Delivery<NatsServiceConfig> => ({
  jobId: `job-${subject}`,
  destination: { service: svc.name, recipient: subject },
  service: svc,
  notification: { message } as Delivery["notification"],
});

describe("nats sink", () => {
  it("publishes the message with the service's headers and Nats-Msg-Id = job id, and the server takes it", async () => {
    await sink().deliver(
      delivery(service({ headers: { "X-Team": "shop" } }), "deploys.shop", "rollout done"),
    );
    expect(nats.messages.at(-1)).toEqual({
      subject: "deploys.shop",
      headers: { "X-Team": "shop", "Nats-Msg-Id": "job-deploys.shop" },
      data: "rollout done",
    });
  });

  it("a subject the user may not publish to is a permanent permissions violation (the server's -ERR)", async () => {
    const before = nats.messages.length;
    const err = await failure(sink().deliver(delivery(service(), "forbidden.deploys")));
    expect(err.transient).toBe(false);
    expect(err.code).toBe("permissions_violation");
    expect(nats.messages.length).toBe(before);
  });

  it("a wrong password is a permanent authorization violation, naming no secret", async () => {
    const err = await failure(
      sink().deliver(
        delivery(
          service({ url: `nats://127.0.0.1:${nats.serverPort}`, password: "wrong-password-xyz" }),
          "deploys.shop",
        ),
      ),
    );
    expect(err.transient).toBe(false);
    expect(err.code).toBe("authorization_violation");
    expect(err.message).not.toContain("wrong-password-xyz");
  });

  it("an unreachable server is transient", async () => {
    const port = await freePort();
    const err = await failure(
      sink().deliver(delivery(service({ url: `nats://127.0.0.1:${port}` }), "deploys.shop")),
    );
    expect(err.transient).toBe(true);
  });
});
