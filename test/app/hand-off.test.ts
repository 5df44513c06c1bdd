// The hand-off's writes: the transition log's record (with the object's next saved state) rides in the enqueue's
// round trip when the queue can run it there, and only after everything that must come first (the enqueue, the
// held notifications of a silence); otherwise it is a write of its own after them.
import { describe, expect, it } from "vitest";
import { createHandOff } from "../../src/app/hand-off.ts";
import { ConfigStore } from "../../src/config/config-store.ts";
import { createLogger } from "../../src/logger.ts";
import type { NotificationJob } from "../../src/queue/notification-job.ts";
import type { EnqueueResult, ScriptCall } from "../../src/queue/notification-queue.ts";
import { createMetrics } from "../../src/server/metrics.ts";
import type { Silencer } from "../../src/silences/silencer.ts";
import type { HashFieldWrite } from "../../src/watch/transition-log.ts";
import { configMap } from "../config/load-examples.ts";
import { completedRollout } from "../support/completed-rollout.ts";

const P = "notifications.argoproj.io";
const { transition, world } = completedRollout({ audit: "", deploys: "" });
const state: HashFieldWrite = { key: "rn:objstate", field: "uid-web", value: '{"phase":"Healthy"}' };
const RECORD_CALL = { script: {}, keys: ["k"], args: ["a"] } as unknown as ScriptCall;

function setup(o: { runsFollowUp: boolean; silencer?: Silencer }) {
  const steps: string[] = [];
  const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
  store.update(
    configMap({
      "service.webhook.audit": "url: https://audit.example",
      "service.webhook.deploys": "url: https://deploys.example",
    }),
    undefined,
  );
  const handOff = createHandOff({
    queue: {
      async enqueue(jobs: NotificationJob[], followedBy?: ScriptCall): Promise<EnqueueResult> {
        steps.push(`enqueue ${jobs.length}${followedBy ? " + record" : ""}`);
        const result: EnqueueResult = { enqueued: jobs.map((j) => j.jobId), duplicates: [] };
        if (followedBy && o.runsFollowUp) result.followUp = { reply: [1] };
        return result;
      },
    },
    log: {
      recordCall: (_transitions, alsoWrite) => {
        steps.push(`recordCall ${alsoWrite?.value ?? "-"}`);
        return RECORD_CALL;
      },
      freshOf: (transitions, reply) => (reply as number[]).map((i) => transitions[i - 1]!),
      async record(transitions, alsoWrite) {
        steps.push(`record ${alsoWrite?.value ?? "-"}`);
        return transitions;
      },
    },
    configFor: (ns) => store.forNamespace(ns),
    annotationPrefix: P,
    logger: createLogger({ level: "silent" }),
    metrics: createMetrics(),
    reportProblems: () => {},
    ...(o.silencer ? { silencer: o.silencer } : {}),
  });
  return { handOff, steps };
}

describe("hand-off writes", () => {
  it("sends the record and state write with the enqueue when the queue runs it there", async () => {
    const { handOff, steps } = setup({ runsFollowUp: true });
    expect(await handOff([transition], world, state)).toEqual({ stateWritten: true });
    expect(steps).toEqual(['recordCall {"phase":"Healthy"}', "enqueue 2 + record"]);
  });

  it("records after the enqueue when the queue did not run the record (a Cluster, an unknown script)", async () => {
    const { handOff, steps } = setup({ runsFollowUp: false });
    expect(await handOff([transition], world, state)).toEqual({ stateWritten: true });
    expect(steps).toEqual([
      'recordCall {"phase":"Healthy"}',
      "enqueue 2 + record",
      'record {"phase":"Healthy"}',
    ]);
  });

  it("records only after held notifications are stored (a silence), never with the enqueue", async () => {
    let holds = 0; // the audit notification is held, the deploys one sent
    const silencer: Silencer = {
      check: (job: NotificationJob) =>
        job.destination.service === "audit" ? { silenceId: "s1", detail: "silenced by s1" } : undefined,
      async hold() {
        holds++;
      },
    };
    const { handOff, steps } = setup({ runsFollowUp: true, silencer });
    expect(await handOff([transition], world, state)).toEqual({ stateWritten: true });
    expect(holds).toBe(1);
    expect(steps).toEqual(["enqueue 1", 'record {"phase":"Healthy"}']);
  });
});
