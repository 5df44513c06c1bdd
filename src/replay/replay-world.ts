// The objects a replay has seen so far (latest version of each), for stages that need more than the transition:
// the Rollout of an AnalysisRun, Namespaces (annotations), the ConfigMap and Secret of the configuration.
import type { KubeObject } from "../kube/objects.ts";
import type { PipelineWorld } from "../pipeline/plan-notifications.ts";

export class ReplayWorld implements PipelineWorld {
  private readonly objects = new Map<string, KubeObject>();

  private static key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ""}/${name}`;
  }

  put(obj: KubeObject): void {
    this.objects.set(ReplayWorld.key(obj.kind ?? "", obj.metadata.namespace, obj.metadata.name), obj);
  }

  remove(obj: KubeObject): void {
    this.objects.delete(ReplayWorld.key(obj.kind ?? "", obj.metadata.namespace, obj.metadata.name));
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(ReplayWorld.key(kind, namespace, name));
  }

  list(kind: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  // --- PipelineWorld --------------------------------------------------------------------------------

  getRollout(namespace: string, name: string): KubeObject | undefined {
    return this.get("Rollout", namespace, name);
  }

  /** Namespaces are cluster-scoped; one written with a metadata.namespace is found too. */
  getNamespace(name: string): KubeObject | undefined {
    return (
      this.get("Namespace", undefined, name) ?? this.list("Namespace").find((n) => n.metadata.name === name)
    );
  }

  analysisRunsIn(namespace: string): KubeObject[] {
    return this.list("AnalysisRun").filter((r) => r.metadata.namespace === namespace);
  }
}
