// Detection over a replayed stream: built-in triggers plus the config's custom triggers (detectObjectTransitions),
// with per-object states in memory. The config is looked up per document, so a ConfigMap change mid-replay
// applies from the next document on, as in the live service.
import type { NotifierConfig } from "../config/types.ts";
import { isKnownKind, type KubeObject } from "../kube/objects.ts";
import type { CustomTriggerProblem } from "../triggers/custom-triggers.ts";
import { detectObjectTransitions, type ObjectDetectionState } from "../triggers/object-transitions.ts";
import type { Transition } from "../triggers/transition.ts";
import { type DetectorInput, isWatchEvent, UnknownKindError } from "../triggers/transition-detector.ts";
import type { ReplayWorld } from "./replay-world.ts";

export interface ReplayDetection {
  transitions: Transition[];
  problems: CustomTriggerProblem[];
}

export interface ReplayDetectorOptions {
  /** Effective config per namespace (custom triggers); without it only built-in triggers are detected. */
  configFor?: (namespace: string) => Pick<NotifierConfig, "triggers" | "context">;
  /** The time custom conditions see (`now`). */
  now?: () => Date;
}

const NO_CONFIG: Pick<NotifierConfig, "triggers" | "context"> = { triggers: {}, context: {} };

function stateKey(obj: KubeObject): string {
  return obj.metadata.uid && obj.metadata.uid.length > 0
    ? obj.metadata.uid
    : `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

export class ReplayDetector {
  private readonly states = new Map<string, ObjectDetectionState>();
  private readonly opts: ReplayDetectorOptions;

  constructor(opts: ReplayDetectorOptions = {}) {
    this.opts = opts;
  }

  /** The transitions one event or object causes. `world` already holds the object (Experiments, Rollouts). */
  observe(input: DetectorInput, world: ReplayWorld): ReplayDetection {
    const event = isWatchEvent(input) ? input : undefined;
    if (event?.type === "BOOKMARK") return { transitions: [], problems: [] };
    const obj = event ? event.object : (input as KubeObject);
    if (!isKnownKind(obj.kind)) throw new UnknownKindError(obj.kind);
    if (obj.kind !== "Rollout" && obj.kind !== "AnalysisRun") return { transitions: [], problems: [] };
    const key = stateKey(obj);
    if (event?.type === "DELETED") {
      this.states.delete(key);
      return { transitions: [], problems: [] };
    }
    const previous = this.states.get(key);
    const result = detectObjectTransitions({
      previous,
      object: obj,
      config: this.opts.configFor?.(obj.metadata.namespace ?? "") ?? NO_CONFIG,
      // ADDED = created while watching; a bare object or a MODIFIED never seen before existed already.
      baseline: previous === undefined && event?.type !== "ADDED",
      lookupExperiment: (ns, name) => world.get("Experiment", ns, name),
      lookupRollout: (ns, name) => world.get("Rollout", ns, name),
      analysisRunsIn: (ns) => world.analysisRunsIn(ns),
      now: this.opts.now?.() ?? new Date(),
    });
    this.states.set(key, result.state);
    return { transitions: result.transitions, problems: result.problems };
  }
}
