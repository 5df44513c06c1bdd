// Application Default Credentials through the real google-auth-library, as on GKE with Workload Identity: no key in
// the service, the token from the metadata server (its stand-in, via GCE_METADATA_HOST), then the publish.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { GcpPubsubSink } from "../../src/sinks/gcppubsub/gcppubsub-sink.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { FakePubsub } from "../support/fake-pubsub.ts";

let ps: FakePubsub;
let dispatchers: HttpDispatchers;
const saved = { ...process.env };

beforeAll(async () => {
  ps = await FakePubsub.start();
  ps.addServiceAccount("workload@shop-prod-1.iam.gserviceaccount.com", ["shop-prod-1"]);
  ps.setMetadataAccount("workload@shop-prod-1.iam.gserviceaccount.com");
  ps.addTopic("shop-prod-1", "rollouts");
  dispatchers = new HttpDispatchers();
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GCE_METADATA_HOST = ps.metadataHost;
  process.env.METADATA_SERVER_DETECTION = "assume-present";
  process.env.CLOUDSDK_CONFIG = "/nonexistent-gcloud-config";
});
afterAll(async () => {
  process.env = saved;
  await ps?.close();
  await dispatchers?.close();
});

it("publishes with the metadata server's token when the service has no key", async () => {
  const sink = new GcpPubsubSink({ dispatchers, logger: createLogger({ level: "silent" }), timeoutMs: 5000 });
  await sink.deliver({
    jobId: "j1",
    destination: { service: "gcppubsub", recipient: "" },
    service: {
      type: "gcppubsub",
      name: "gcppubsub",
      project: "shop-prod-1",
      topic: "rollouts",
      endpoint: ps.endpoint,
    },
    notification: { message: "via workload identity", gcppubsub: { data: "via workload identity" } },
  });
  expect(ps.published.map((m) => [m.data, m.account])).toEqual([
    ["via workload identity", "workload@shop-prod-1.iam.gserviceaccount.com"],
  ]);
});
