// The Datadog sink and event builder: the API root from the site, Datadog's bounds (title, text, aggregation key),
// tags merged from the service, the template and the recipient, invalid alert types refused before sending, a bad
// API key (403) permanent; the stand-in refusing what Datadog refuses.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { buildDatadogEvent, datadogEventsUrl } from "../../src/sinks/datadog/datadog-request.ts";
import { DatadogSink } from "../../src/sinks/datadog/datadog-sink.ts";
import type { DatadogServiceConfig } from "../../src/sinks/datadog/datadog-types.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { DeliveryError } from "../../src/sinks/sink.ts";
import type { Notification } from "../../src/templates/notification.ts";
import { FakeDatadog } from "../support/fake-datadog.ts";

const KEY = "dd-key-0123456789";
let dd: FakeDatadog;
let dispatchers: HttpDispatchers;
beforeAll(async () => {
  dd = await FakeDatadog.start({ apiKey: KEY });
  dispatchers = new HttpDispatchers();
});
afterAll(async () => {
  await dd?.close();
  await dispatchers?.close();
});

const service = (over: Partial<DatadogServiceConfig> = {}): DatadogServiceConfig => ({
  type: "datadog",
  name: "datadog",
  apiKey: KEY,
  ...over,
});
const notification = (datadog: Notification["datadog"], message = "m"): Notification => ({
  message,
  datadog,
});

it("the API root is https://api.<site> (default datadoghq.com) unless apiURL is set", () => {
  expect(datadogEventsUrl(service())).toBe("https://api.datadoghq.com/api/v1/events");
  expect(datadogEventsUrl(service({ site: "datadoghq.eu" }))).toBe("https://api.datadoghq.eu/api/v1/events");
  expect(datadogEventsUrl(service({ apiURL: "https://proxy.example.com/dd/" }))).toBe(
    "https://proxy.example.com/dd/api/v1/events",
  );
});

it("keeps Datadog's bounds and merges tags: service, template (normalised), recipient; no duplicates", () => {
  const body = buildDatadogEvent(
    service({ tags: ["env:prod"] }),
    "team:payments",
    notification({
      title: "t".repeat(150),
      text: "x".repeat(5000),
      tags: ["env:prod", "rollout:web app", "9lives", "team:payments"],
      aggregationKey: `argo-rollouts/${"n".repeat(120)}`,
      alertType: "error",
    }),
    "datadog",
  );
  expect(Array.from(body.title)).toHaveLength(100);
  expect(Array.from(body.text)).toHaveLength(4000);
  expect(body.tags).toEqual(["env:prod", "rollout:web_app", "team:payments"]);
  expect(body.aggregation_key).toMatch(/^[0-9a-f]{64}$/);
  expect(body.alert_type).toBe("error");
});

it("an alert type outside Datadog's list is refused before sending", () => {
  expect(() =>
    buildDatadogEvent(
      service(),
      "",
      notification({ title: "t", text: "x", tags: [], alertType: "critical" }),
      "dd",
    ),
  ).toThrow(/alertType "critical" is not one of error, warning, info, success/);
});

it("a bad API key is a permanent 403 with Datadog's error, naming no key", async () => {
  const sink = new DatadogSink({ dispatchers, logger: createLogger({ level: "silent" }) });
  const err = await sink
    .deliver({
      jobId: "j",
      destination: { service: "datadog", recipient: "" },
      service: service({ apiKey: "wrong-key-123456", apiURL: dd.apiURL }),
      notification: notification({ title: "t", text: "x", tags: [] }),
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(DeliveryError);
  expect(err).toMatchObject({ transient: false, code: "http_403" });
  expect((err as Error).message).toContain("Forbidden");
  expect((err as Error).message).not.toContain("wrong-key-123456");
  expect(dd.events).toHaveLength(0);
});

it("the stand-in refuses what the Events API refuses", async () => {
  const post = (body: unknown) =>
    fetch(`${dd.apiURL}/api/v1/events`, {
      method: "POST",
      headers: { "dd-api-key": KEY, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: await r.json() }));
  expect(await post({ text: "x" })).toEqual({ status: 400, json: { errors: ["Event title is required"] } });
  expect((await post({ title: "t", text: "x", alert_type: "critical" })).status).toBe(400);
  expect((await post({ title: "t", text: "x", date_happened: 1 })).status).toBe(400);
  expect(await post({ title: "t", text: "x", tags: ["a:b"] })).toMatchObject({
    status: 202,
    json: { status: "ok" },
  });
});
