// Which Rollout an AnalysisRun belongs to: its owner directly (background/step/pre/post-promotion analysis),
// or through the Experiment that owns it (experiment step analyses).
import { type KubeObject, REVISION_ANNOTATION } from "../kube/objects.ts";
import type { ObjectRef } from "./transition.ts";

export type ExperimentLookup = (namespace: string, name: string) => KubeObject | undefined;

export interface AnalysisRunOwner {
  /** The owning Rollout, when one can be found. */
  rollout?: ObjectRef;
  /** The Experiment in between, when the run belongs to one (found or not). */
  experiment?: { namespace: string; name: string; found: boolean };
  /** The revision the run belongs to: its own revision annotation, else its Experiment's. */
  revision?: string;
}

function controllerOwner(obj: KubeObject, kinds: string[]) {
  const refs = obj.metadata.ownerReferences ?? [];
  return (
    refs.find((r) => kinds.includes(r.kind) && r.controller === true) ??
    refs.find((r) => kinds.includes(r.kind))
  );
}

function revisionOf(obj: KubeObject | undefined): string | undefined {
  const rev = obj?.metadata.annotations?.[REVISION_ANNOTATION];
  return rev && rev.length > 0 ? rev : undefined;
}

export function resolveOwningRollout(ar: KubeObject, lookupExperiment: ExperimentLookup): AnalysisRunOwner {
  const namespace = ar.metadata.namespace ?? "";
  const owner = controllerOwner(ar, ["Rollout", "Experiment"]);
  const ownRevision = revisionOf(ar);
  if (owner?.kind === "Rollout") {
    return {
      rollout: { kind: "Rollout", namespace, name: owner.name, uid: owner.uid },
      ...(ownRevision ? { revision: ownRevision } : {}),
    };
  }
  if (owner?.kind === "Experiment") {
    const exp = lookupExperiment(namespace, owner.name);
    const expOwner = exp ? controllerOwner(exp, ["Rollout"]) : undefined;
    const revision = ownRevision ?? revisionOf(exp);
    return {
      ...(expOwner
        ? { rollout: { kind: "Rollout", namespace, name: expOwner.name, uid: expOwner.uid } }
        : {}),
      experiment: { namespace, name: owner.name, found: exp !== undefined },
      ...(revision ? { revision } : {}),
    };
  }
  return ownRevision ? { revision: ownRevision } : {};
}
