import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceConfig } from "../../src/config/types.ts";
import { createLogger } from "../../src/logger.ts";
import { createSinks } from "../../src/sinks/create-sinks.ts";
import { FakePagerDuty } from "../support/fake-pagerduty.ts";
import { FakeSlack } from "../support/fake-slack.ts";
import { FakeWebhook } from "../support/fake-webhook.ts";
import { startRedis } from "../support/redis-server.ts";

describe("createSinks", () => {
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let hook: FakeWebhook;

  beforeAll(async () => {
    [slack, pd, hook] = await Promise.all([
      FakeSlack.start({ channels: [{ name: "alerts" }] }),
      FakePagerDuty.start(),
      FakeWebhook.start(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([slack.close(), pd.close(), hook.close()]);
  });

  it("gives one working sink per service type, as the queue looks them up", async () => {
    const redis = await startRedis();
    const sinks = createSinks({ redis: redis.client(), logger: createLogger({ level: "silent" }) });
    try {
      const services: ServiceConfig[] = [
        { type: "slack", name: "slack", token: slack.token, apiURL: slack.apiURL },
        { type: "pagerdutyv2", name: "pagerdutyv2", serviceKeys: { svc: "k".repeat(32) }, apiURL: pd.apiURL },
        { type: "webhook", name: "hook", url: hook.url },
      ];
      for (const service of services) {
        const sink = sinks.sinkFor(service.type)!;
        expect(sink.type).toBe(service.type);
        await sink.deliver({
          jobId: `job-${service.name}`,
          destination: { service: service.name, recipient: service.type === "slack" ? "#alerts" : "svc" },
          service,
          notification: {
            message: "rollout completed",
            pagerduty: {
              eventAction: "trigger",
              dedupKey: "d",
              summary: "s",
              severity: "info",
              source: "src",
            },
          },
        });
      }
      expect(slack.messages("alerts").map((m) => m.text)).toEqual(["rollout completed"]);
      expect(pd.alerts).toHaveLength(1);
      expect(hook.requests).toHaveLength(1);
      expect(sinks.sinkFor("nope" as never)).toBeUndefined();
    } finally {
      await sinks.close();
      await redis.stop();
    }
  });
});
