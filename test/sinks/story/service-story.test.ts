// The canary story (examples/histories/canary-analysis-failure.yaml: update → steps → analysis failure → abort →
// fix → completion) delivered to every registered service type's stand-in through the durable queue (on a
// private Redis) with a 500, a 429 and a timeout injected: the stand-in must have received exactly the
// notifications `replay --dry-run` shows for the same history, once each, in order — and the type's own checks
// (threads per revision, resolve/close on completion) hold. One driver, parameterised by service type; each type's
// stand-in and checks come from its contract fixture (test/sinks/contract/fixtures/<type>.ts).

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { UNDEFINED_BUILTIN_TRIGGER_DIFFERENCE } from "../../../src/config/load-config.ts";
import type { KubeObject } from "../../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../../src/replay/parse-documents.ts";
import { SERVICE_TYPES } from "../../../src/sinks/registry.ts";
import { canonicalTrigger } from "../../../src/triggers/trigger-names.ts";
import { historyPath } from "../../replay/expected-histories.ts";
import { replay } from "../../replay/replay-kit.ts";
import { type RedisHarness, startRedis } from "../../support/redis-server.ts";
import type { ContractFixture, StartContractFixture } from "../contract/contract-fixture.ts";

const STORY = "canary-analysis-failure.yaml";
const TRIGGERS = [
  "on-rollout-updated",
  "on-analysis-run-started",
  "on-rollout-step-completed",
  "on-rollout-paused",
  "on-analysis-run-failed",
  "on-analysis-run-completed",
  "on-rollout-aborted",
  "on-rollout-resumed",
  "on-rollout-completed",
];

const UNDEFINED_BUILTINS_WARNING = `warning: argo-rollouts/argo-rollouts-notification-configmap key "subscriptions ([0].triggers)": ${UNDEFINED_BUILTIN_TRIGGER_DIFFERENCE(TRIGGERS.map(canonicalTrigger))}\n`;

/** The ConfigMap: the fixture's service, every Rollout subscribed to every trigger of the story. */
function storyConfig(fx: ContractFixture): KubeObject[] {
  const { type, name, tenantNamespace: _t, ...keys } = fx.service as unknown as Record<string, unknown>;
  const key = name === type ? `service.${type}` : `service.${type}.${name}`;
  const recipient = fx.recipient ? `${name}:${fx.recipient}` : String(name);
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" },
      data: {
        [key]: stringify(keys),
        subscriptions: stringify([{ recipients: [recipient], triggers: TRIGGERS }]),
      },
    },
  ];
}

/** Volatile fields (send times) are not part of the comparison. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "timestamp" && k !== "date")
        .map(([k, x]) => [k, stable(x)]),
    );
  }
  return v;
}

/** The story's documents with the fixture's annotations added to every Rollout (see ContractFixture). */
function withRolloutAnnotations(
  items: ReplayItem[],
  annotations: Record<string, string> | undefined,
): ReplayItem[] {
  if (!annotations) return items;
  const annotate = (o: KubeObject): KubeObject =>
    o.kind === "Rollout"
      ? { ...o, metadata: { ...o.metadata, annotations: { ...annotations, ...o.metadata.annotations } } }
      : o;
  return items.map((item) => {
    if (!item.ok) return item;
    const input = item.input;
    return {
      ...item,
      input:
        "object" in input && "type" in input ? { ...input, object: annotate(input.object) } : annotate(input),
    };
  });
}

async function fixtureFor(type: string): Promise<StartContractFixture> {
  return ((await import(`../contract/fixtures/${type}.ts`)) as { default: StartContractFixture }).default;
}

let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(SERVICE_TYPES.map((d) => [d.type] as const))("canary story to %s", (type) => {
  let fx: ContractFixture;
  beforeAll(async () => {
    fx = await (await fixtureFor(type))();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it("delivers exactly what the dry run shows, once each, in order, through a 500, a 429 and a timeout", async () => {
    const items = withRolloutAnnotations(
      parseReplayInput(readFileSync(historyPath(STORY), "utf8")),
      fx.rolloutAnnotations,
    );
    const common = {
      items,
      configObjects: storyConfig(fx),
      rateLimit: false,
      allowPrivateWebhooks: true,
    } as const;
    const dry = await replay({ ...common, mode: "dry-run" });
    // the story subscribes to built-in triggers its ConfigMap does not define: said once at load (Argo Rollouts
    // would send nothing for them), nothing else
    expect(dry.stderr).toBe(UNDEFINED_BUILTINS_WARNING);
    const expected = dry.lines.map((l) => l.notification);
    expect(expected.length).toBeGreaterThanOrEqual(10);

    fx.fail({ status: 500 });
    fx.fail({ status: 429, retryAfterSec: 0 });
    fx.fail({ delayMs: 1500 });
    const before = fx.sentAsWire().length;
    const r = await replay({
      ...common,
      mode: "deliver",
      redisUrl: redis.url,
      queueName: `story-${type}`,
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 },
      sinkTimeoutMs: 1000,
      settleTimeoutMs: 60_000,
    });
    expect(r.stderr).toBe(UNDEFINED_BUILTINS_WARNING);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("dead-lettered"))).toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`${expected.length} notifications delivered, 0 dead-lettered`));
    expect(r.code).toBe(0);
    const sent = fx.sentAsWire().slice(before);
    // What the service adds on its own (thread roots, resolves of a Rollout's other alerts) is set aside; the
    // rest must be the dry run's notifications, one to one, in order.
    const own = sent.filter((s) => !fx.isFollowUp?.(s));
    expect(own).toHaveLength(expected.length);
    own.forEach((s, i) => {
      expect(stable(expected[i]), `notification ${i + 1}`).toMatchObject(stable(s) as object);
    });
    fx.storyChecks?.(sent);
  });
});
