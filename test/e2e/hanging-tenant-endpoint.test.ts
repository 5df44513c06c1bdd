// A hanging endpoint in one namespace's self-service config, live: `rollouts-notifier run` with 8 delivery slots
// (WORKER_CONCURRENCY) and a namespace whose own webhook accepts every request and answers none (its timeoutMs 5 minutes, the most
// the config allows). Ten of its Rollouts are updated at once, more notifications than the worker has slots.
// Another namespace's notification is still delivered within 5 s (src/queue/tenant-slots.ts: the namespace's
// services hold at most their share of the slots; without it every slot hangs for 5 minutes). Once the endpoint
// answers, each of the ten is delivered, once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANNOTATION_PREFIX, type E2eWorld, loadTenantNamespace, startE2eWorld } from "./harness.ts";
import {
  eventually,
  firstMessageAfterNextStep,
  playEachUpTo,
  prepareStory,
  prepareStoryIn,
  type StoryRun,
  waitSettled,
  waitStepHandled,
  writeNextStep,
} from "./story.ts";

const TENANT = "tenant-h";
const TENANT_ROLLOUTS = 10;

/** A webhook endpoint that holds every request until it is opened; records each body it answered. */
class HangingEndpoint {
  readonly answered: string[] = [];
  held = 0;
  #open = false;
  #waiting: (() => void)[] = [];
  readonly server: Server;
  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      req.on("end", () => {
        const answer = () => {
          if (res.destroyed) return;
          this.answered.push(body);
          res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        };
        if (this.#open) return answer();
        this.held++;
        this.#waiting.push(answer);
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  open(): void {
    this.#open = true;
    for (const w of this.#waiting.splice(0)) w();
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe("a namespace whose own webhook hangs", () => {
  let world: E2eWorld;
  let endpoint: HangingEndpoint;
  let tenants: StoryRun[];
  let other: StoryRun;

  beforeAll(async () => {
    endpoint = new HangingEndpoint();
    const url = await endpoint.listen();
    world = await startE2eWorld();
    loadTenantNamespace(world, TENANT, {
      "service.webhook.audit": `url: ${url}/audit\ntimeoutMs: 300000`,
      "template.audit": [
        'message: "updated {{rollout.metadata.name}}"',
        "webhook:",
        "  audit:",
        "    method: POST",
        `    body: '{"rollout": "{{rollout.metadata.name}}"}'`,
      ].join("\n"),
      "trigger.on-rollout-updated": "- send: [audit]",
    });
    tenants = Array.from({ length: TENANT_ROLLOUTS }, (_, i) =>
      prepareStoryIn(world, {
        suffix: `h${i}`,
        namespace: TENANT,
        annotations: { [`${ANNOTATION_PREFIX}/subscribe.on-rollout-updated.audit`]: "" },
      }),
    );
    other = prepareStory(world, "neighbour-h");
    // the tenant's webhook is on loopback, as its endpoint is here
    await world.startService({ env: { ALLOW_PRIVATE_WEBHOOKS: "true", WORKER_CONCURRENCY: "8" } });
  }, 60_000);
  afterAll(async () => {
    endpoint?.open();
    await world?.stop();
    await endpoint?.close();
  });

  it("delivers other namespaces' notifications meanwhile, and each of its own once it answers", {
    timeout: 120_000,
  }, async () => {
    // up to the step before each story's first on-rollout-updated (step 3)
    await playEachUpTo(world, [...tenants, other], 3);

    const written = tenants.map((t) => writeNextStep(world, t));
    for (const [k, t] of tenants.entries()) await waitStepHandled(world, t, written[k]!);
    // the worker took what it may of the namespace's notifications: they hang
    await eventually(
      () => endpoint.held > 0,
      10_000,
      () => `a request at the endpoint\n${world.dumpLogs(20)}`,
    );
    const { step: o, ms: neighbourMs } = await firstMessageAfterNextStep(world, other, 30_000);
    await waitStepHandled(world, other, o);
    expect(neighbourMs, "another namespace's notification while the endpoint hangs").toBeLessThan(5_000);
    // at most the namespace's share (a quarter of the 8 slots) was ever sent to the endpoint at a time
    expect(endpoint.held).toBe(2);
    expect(endpoint.answered).toEqual([]);

    endpoint.open();
    await waitSettled(world, 60_000);
    const rollouts = endpoint.answered.map((b) => (JSON.parse(b) as { rollout: string }).rollout);
    expect(rollouts.sort()).toEqual(tenants.map((t) => t.rollout).sort());
    expect(await world.queue.listDeadLetters()).toEqual([]);
    const metrics = await (
      await fetch(`http://127.0.0.1:${await world.services[0]!.httpPort()}/metrics`)
    ).text();
    expect(metrics).toMatch(
      new RegExp(`rollouts_notifier_notifications_deferred_total\\{namespace="${TENANT}"\\} [1-9]`),
    );
  });
});
