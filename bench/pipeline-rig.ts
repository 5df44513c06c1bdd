// What benchmark (b) runs the service against, set up once and reused by many rounds: the Kubernetes API test
// server with the world loaded (its start and the load take seconds that a short round would otherwise spend
// on set-up), the notifier's ConfigMap and the webhook sink. Between rounds, reset() puts the cluster back as
// it was loaded: every Rollout at its first step again, and no Event or Lease a previous service wrote. The
// service child and its Redis are each round's own (pipeline-bench.ts).
import { type KubeApiServer, startKubeApiServer } from "../test/support/kube-api-server/index.ts";
import { cacheListSnapshots } from "./list-snapshot-cache.ts";
import { type CountingSink, startCountingSink } from "./sink-server.ts";
import { loadNotifierConfig, loadWorld, SERVICE_NAMESPACE, StepWriter, type World } from "./world.ts";

/** Kinds the service writes into the cluster (its Kubernetes Events, its leader-election Lease). */
const WRITTEN_BY_SERVICE = ["Event", "Lease"] as const;

export interface PipelineRig {
  api: KubeApiServer;
  sink: CountingSink;
  world: World;
  /** Writes the next steps; a fresh one after each reset(). */
  writer: StepWriter;
  /** Puts the cluster back as loaded (no service may be running) and forgets what the sink received. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startPipelineRig(opts: { rollouts: number }): Promise<PipelineRig> {
  const sink = await startCountingSink();
  const api = await startKubeApiServer({ namespaces: [SERVICE_NAMESPACE] });
  cacheListSnapshots(api);
  loadNotifierConfig(api, sink.url);
  const world = loadWorld(api, { rollouts: opts.rollouts, runsPerRollout: 0, namespaces: 20 });
  const firstStep = world.rollouts.map((r) => r.stepIndex);
  const rig: PipelineRig = {
    api,
    sink,
    world,
    writer: new StepWriter(api, world.rollouts),
    reset() {
      for (const [i, r] of world.rollouts.entries()) {
        if (r.stepIndex === firstStep[i]) continue;
        r.stepIndex = firstStep[i]!;
        api.objects.patchStatus(
          { kind: "Rollout", namespace: r.namespace, name: r.name },
          { status: { currentStepIndex: r.stepIndex } },
        );
      }
      for (const kind of WRITTEN_BY_SERVICE) {
        for (const o of api.objects.list(kind)) {
          api.objects.delete({ kind, namespace: o.metadata.namespace, name: o.metadata.name });
        }
      }
      sink.reset();
      rig.writer = new StepWriter(api, world.rollouts);
    },
    async stop() {
      await api.stop();
      await sink.close();
    },
  };
  return rig;
}
