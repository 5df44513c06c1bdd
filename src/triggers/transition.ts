import type { KubeObject } from "../kube/objects.ts";
import type { BuiltinTrigger } from "./trigger-names.ts";

/** A reference to an object, enough to find it again and to name it in logs. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * One lifecycle event detected from a status change. Produced by the pure detection stage and handed on
 * to routing, templating and the queue.
 */
export interface Transition {
  /**
   * Stable identity: the same lifecycle event has the same id however it is detected (from the snapshot right
   * after it, or from a later one after a restart); a new event (e.g. the same step completing again after
   * abort → retry) has a new id. Idempotency (job ids) is built on it.
   */
  id: string;
  /** A built-in trigger name, or the name of a custom trigger (ConfigMap `trigger.<name>` with a `when`). */
  trigger: BuiltinTrigger | (string & {});
  object: ObjectRef;
  /** The owning Rollout of an AnalysisRun (directly or through an Experiment); the Rollout itself for Rollout triggers. */
  rollout?: ObjectRef;
  /** Rollout revision (annotation rollout.argoproj.io/revision) the event belongs to. */
  revision?: string;
  /** The object as it was when the event was detected (trimmed: no managedFields). */
  snapshot: KubeObject;
  /**
   * Rollout triggers: the Rollout as the controller held it when it recorded the event (event-view.ts) — what
   * upstream's event path shows `when` and templates. Absent for AnalysisRun and condition-path transitions.
   */
  eventObject?: KubeObject;
  /**
   * Set on transitions of the condition path (condition-path.ts): a ConfigMap condition with a `when` that
   * became true on this update; `condition` is its index and only its templates are sent.
   */
  path?: "condition";
  /** Short human detail, e.g. "step 2/4" or "phase Failed" (≤ MAX_DETAIL_CHARS: transitionDetail). */
  detail?: string;
  /** Custom triggers: index of the ConfigMap condition (`trigger.<name>[i]`) that fired; see planTrigger. */
  condition?: number;
}

/**
 * A transition's detail is kept short: it is logged, saved in the transition log and the delivery history, and
 * shown by the console; what it quotes (an AnalysisRun's status.message, which can carry a metric provider's
 * answer, or a trigger's description) is not bounded by its source. Templates still see the whole object.
 */
export const MAX_DETAIL_CHARS = 300;

/** `text` cut to MAX_DETAIL_CHARS code points, ending in "…" when cut. */
export function transitionDetail(text: string): string {
  if (text.length <= MAX_DETAIL_CHARS) return text;
  const chars = Array.from(text);
  return chars.length <= MAX_DETAIL_CHARS ? text : `${chars.slice(0, MAX_DETAIL_CHARS - 1).join("")}…`;
}
