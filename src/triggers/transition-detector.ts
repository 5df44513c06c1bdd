// In-memory detection over a stream of watch events and bare objects (replay; tests). Keeps the per-object
// states by uid and the Experiments by namespace/name; the per-object work is the pure functions of
// kind-detectors.ts, so a caller with its own state store (the watcher, Redis) uses those directly.
import { isKnownKind, type KubeObject, type WatchEvent } from "../kube/objects.ts";
import { KIND_DETECTORS } from "./kind-detectors.ts";
import type { Transition } from "./transition.ts";

/** A bare object (e.g. from `kubectl get -w -o json`): a baseline when first seen, a change after that. */
export type DetectorInput = WatchEvent | KubeObject;

export class UnknownKindError extends Error {
  constructor(kind: unknown) {
    super(
      `unknown kind ${JSON.stringify(kind)} (expected one of Rollout, AnalysisRun, Experiment, Namespace, ConfigMap, Secret)`,
    );
    this.name = "UnknownKindError";
  }
}

export function isWatchEvent(input: DetectorInput): input is WatchEvent {
  const i = input as Partial<WatchEvent> & { metadata?: unknown };
  return typeof i.type === "string" && i.object !== undefined && i.metadata === undefined;
}

function stateKey(obj: KubeObject): string {
  return obj.metadata.uid && obj.metadata.uid.length > 0
    ? obj.metadata.uid
    : `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

export class TransitionDetector {
  private readonly states = new Map<string, unknown>();
  private readonly experiments = new Map<string, KubeObject>();

  /** Detects the transitions one event or object causes, in order. Throws UnknownKindError for unknown kinds. */
  observe(input: DetectorInput): Transition[] {
    const event = isWatchEvent(input) ? input : undefined;
    const obj = event ? event.object : (input as KubeObject);
    if (event?.type === "BOOKMARK") return [];
    if (!isKnownKind(obj.kind)) throw new UnknownKindError(obj.kind);
    const deleted = event?.type === "DELETED";
    if (obj.kind === "Experiment") {
      const key = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      if (deleted) this.experiments.delete(key);
      else this.experiments.set(key, obj);
      return [];
    }
    if (obj.kind !== "Rollout" && obj.kind !== "AnalysisRun") return [];
    const key = stateKey(obj);
    if (deleted) {
      this.states.delete(key);
      return [];
    }
    const previous = this.states.get(key);
    // ADDED = created while watching (compared against nothing); a bare object or a MODIFIED for an object
    // never seen before existed already (baseline).
    const baseline = previous === undefined && event?.type !== "ADDED";
    const { transitions, state } = KIND_DETECTORS[obj.kind].detect(previous, obj, {
      baseline,
      lookupExperiment: (namespace, name) => this.experiments.get(`${namespace}/${name}`),
    });
    this.states.set(key, state);
    return transitions;
  }

  /** The saved state of an object (JSON-serializable), e.g. to hand to another detector. */
  stateOf(uidOrKey: string): unknown {
    return this.states.get(uidOrKey);
  }
}
