// The condition path: notifications-engine's controller, which Argo Rollouts runs over every Rollout update
// (argoproj/notifications-engine pkg/controller/controller.go), for every ConfigMap condition with a `when`
// — custom-named triggers and built-in trigger names alike. A condition fires when its `when` becomes true
// (false or unknown before → true now); without `oncePer` it re-arms when the condition turns false; with
// `oncePer` it fires once per oncePer value, ever. Conditions without `when` never fire here (upstream
// compiles them as `false`); built-in triggers also send on the event path (custom-trigger-plan.ts).
// Pure: the caller keeps the returned state with the object's other detection state (in Redis, never in
// an annotation of the user's Rollout) and passes it back next time.
//
// Which objects a condition is evaluated on: conditions that mention `analysisRun` run on AnalysisRuns (with
// `rollout` set to the owning Rollout when the caller has it) — an extension, upstream's condition path only
// sees Rollouts; all others run on Rollouts.
//
// Identity (Transition.id), so that a re-detection after a crash gives the same id and the queue drops it:
//   custom trigger, oncePer:     <uid>:<trigger>:<i>:<hash(when)>:once:<oncePer value>
//   custom trigger, no oncePer:  <uid>:<trigger>:<i>:<hash(when)>:<n>   n counts the times it became true
//   built-in trigger:            conditionSendKey(): <anchor>/c<i>-<hash(when)>, or the oncePer key
//     The anchor is the trigger's latest event-path transition of the Rollout's current revision (this
//     update's, or the one remembered in the state), else the revision itself. So a built-in condition sends
//     once per event of its trigger (and once per revision before any): a condition that flickers (an
//     autoscaler turning Healthy off and on, argoproj/argo-rollouts#2011) does not repeat, and where the
//     event path already sends for that event (its `when` held on the event's object), the condition path
//     does not send it again.
// A condition added or edited after an object was first seen starts from the object's current value (it fires
// on the next false → true, not immediately): editing a trigger must not notify every Rollout at once.
// Upstream keeps this state per destination; we keep it per object (a destination subscribed later does not
// get a notification for a condition that is already true).
import { createHash } from "node:crypto";
import type { NotifierConfig, TriggerCondition } from "../config/types.ts";
import { type KubeObject, REVISION_ANNOTATION } from "../kube/objects.ts";
import {
  type ConditionActivation,
  compileCondition,
  conditionActivation,
  evaluateOncePer,
  evaluateWhen,
} from "./conditions.ts";
import { idPart, objectIdentity, transitionId } from "./identity.ts";
import { type ObjectRef, type Transition, transitionDetail } from "./transition.ts";
import { canonicalTrigger, isBuiltinTrigger } from "./trigger-names.ts";

export interface CustomConditionState {
  on: boolean;
  oncePer?: string;
  /** How many times the condition became true (ids of custom conditions without oncePer). */
  n: number;
  /** Built-in triggers: the last send key this condition sent (or the event path sent) for. */
  sent?: string;
}

/** Per-object state: keyed by `<trigger>[<i>]#<hash(when)>`. JSON-safe. */
export interface CustomTriggerState {
  conditions: Record<string, CustomConditionState>;
  /** Built-in triggers with a `when` condition: their latest event-path transition id, by revision. */
  anchors?: Record<string, { revision?: string; id: string }>;
}

export interface CustomTriggerProblem {
  trigger: string;
  index: number;
  message: string;
}

export interface EvaluateCustomTriggersInput {
  config: Pick<NotifierConfig, "triggers" | "context">;
  /** State returned by the previous call for this object; undefined for an object never seen. */
  previous: CustomTriggerState | undefined;
  /** A Rollout or an AnalysisRun. */
  object: KubeObject;
  /** For an AnalysisRun: its owning Rollout (directly or through an Experiment), when known. */
  rollout?: KubeObject;
  /** The built-in (event-path) transitions detected on this same update of the object. */
  events?: Transition[];
  /** The AnalysisRuns of a namespace: `analysisRuns` in conditions that use it (else null). */
  analysisRunsIn?: (namespace: string) => KubeObject[];
  now: Date;
  /** First sight of an existing object (service start): record the state, fire nothing. */
  baseline?: boolean;
}

export interface CustomTriggerResult {
  transitions: Transition[];
  state: CustomTriggerState;
  problems: CustomTriggerProblem[];
}

export type ConditionSubject = "Rollout" | "AnalysisRun";

/** The kind of object a condition is evaluated on. */
export function conditionSubject(cond: Pick<TriggerCondition, "when">): ConditionSubject {
  if (!cond.when) return "Rollout";
  try {
    return compileCondition(cond.when, { trigger: "", index: 0, field: "when" }).variables.has("analysisRun")
      ? "AnalysisRun"
      : "Rollout";
  } catch {
    return "Rollout"; // reported where the condition is evaluated
  }
}

/** Names of the custom (non built-in) triggers of a config. */
export function customTriggerNames(config: Pick<NotifierConfig, "triggers">): string[] {
  return Object.keys(config.triggers)
    .filter((name) => !isBuiltinTrigger(name))
    .sort();
}

/** Triggers with a condition the condition path evaluates (a `when`): custom ones and built-in ones. */
export function conditionPathTriggers(config: Pick<NotifierConfig, "triggers">): string[] {
  return Object.keys(config.triggers)
    .filter((name) => (config.triggers[name] ?? []).some((c) => c.when))
    .sort();
}

function referencesAnalysisRuns(when: string): boolean {
  try {
    return compileCondition(when, { trigger: "", index: 0, field: "when" }).variables.has("analysisRuns");
  } catch {
    return false;
  }
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 10);
}

/**
 * The send key (job id base) of a built-in trigger's condition with a `when`: per event (anchor) or, with
 * oncePer, per oncePer value. The event path (planTrigger) and the condition path use the same key, so the
 * queue sends one notification where both would.
 */
export function conditionSendKey(
  anchor: string,
  /** The identity (objectIdentity) of the object the condition is evaluated on. */
  subject: string,
  trigger: string,
  index: number,
  cond: Pick<TriggerCondition, "when">,
  oncePer: string | undefined,
): string {
  const c = `c${index}-${shortHash(cond.when ?? "")}`;
  return oncePer !== undefined
    ? transitionId(subject, trigger, c, "once", oncePer)
    : `${anchor}/${idPart(c)}`;
}

export function objectRef(obj: KubeObject): ObjectRef {
  return {
    kind: obj.kind ?? "",
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    uid: obj.metadata.uid ?? "",
  };
}

function owningRolloutRef(obj: KubeObject, rollout: KubeObject | undefined): ObjectRef | undefined {
  if (obj.kind === "Rollout") return objectRef(obj);
  if (rollout) return objectRef(rollout);
  const owner = obj.metadata.ownerReferences?.find((o) => o.kind === "Rollout");
  if (!owner) return undefined;
  return { kind: "Rollout", namespace: obj.metadata.namespace ?? "", name: owner.name, uid: owner.uid };
}

/**
 * Upstream's `analysisRuns` (argo-rollouts utils/record/record.go getAnalysisRunsFilterWithLabels): the runs
 * labelled with the Rollout's current pod hash and annotated with its revision, newest first; null for none.
 */
export function rolloutAnalysisRuns(rollout: KubeObject, runsInNamespace: KubeObject[]): KubeObject[] | null {
  const podHash = rollout.status?.currentPodHash;
  const revision = rollout.metadata.annotations?.[REVISION_ANNOTATION];
  const runs = runsInNamespace
    .filter(
      (r) =>
        r.metadata.labels?.["rollouts-pod-template-hash"] === (typeof podHash === "string" ? podHash : "") &&
        r.metadata.annotations?.[REVISION_ANNOTATION] === revision,
    )
    .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""));
  return runs.length > 0 ? runs : null;
}

/** The activation the event path evaluates a built-in trigger's `when` with (see planTrigger). */
export function eventActivation(
  event: Transition,
  config: Pick<NotifierConfig, "context">,
  opts: { now: Date; rollout?: KubeObject; analysisRuns?: KubeObject[] },
): ConditionActivation {
  const isRun = event.snapshot.kind === "AnalysisRun";
  // upstream: the runs of the Rollout's current pod hash and revision, newest first (record.go)
  const runs = opts.analysisRuns
    ? [...opts.analysisRuns].sort((a, b) =>
        (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
      )
    : null;
  return conditionActivation({
    rollout: isRun ? (opts.rollout ?? null) : (event.eventObject ?? event.snapshot),
    analysisRun: isRun ? event.snapshot : null,
    analysisRuns: runs && runs.length > 0 ? runs : null,
    now: opts.now,
    context: config.context,
  });
}

export function evaluateCustomTriggers(input: EvaluateCustomTriggersInput): CustomTriggerResult {
  const { config, previous, object } = input;
  const kind: ConditionSubject = object.kind === "AnalysisRun" ? "AnalysisRun" : "Rollout";
  const uid = object.metadata.uid ?? `${object.metadata.namespace}/${object.metadata.name}`;
  const ident = objectIdentity(object.metadata);
  const revision = object.metadata.annotations?.[REVISION_ANNOTATION];
  const subjectRollout = kind === "Rollout" ? object : input.rollout;
  const usesRuns = conditionPathTriggers(config).some((t) =>
    (config.triggers[t] ?? []).some((c) => c.when && referencesAnalysisRuns(c.when)),
  );
  const activation = conditionActivation({
    rollout: subjectRollout ?? null,
    analysisRun: kind === "AnalysisRun" ? object : null,
    analysisRuns:
      usesRuns && subjectRollout && input.analysisRunsIn
        ? rolloutAnalysisRuns(subjectRollout, input.analysisRunsIn(subjectRollout.metadata.namespace ?? ""))
        : null,
    now: input.now,
    context: config.context,
  });
  const events = input.events ?? [];

  const transitions: Transition[] = [];
  const problems: CustomTriggerProblem[] = [];
  const state: CustomTriggerState = { conditions: {} };
  const anchors: NonNullable<CustomTriggerState["anchors"]> = {};

  for (const trigger of conditionPathTriggers(config)) {
    const conditions = config.triggers[trigger] ?? [];
    const builtin = isBuiltinTrigger(trigger);
    // built-in: the anchor of this update (the trigger's latest event of the current revision)
    let anchor: string | undefined;
    let triggerEvents: Transition[] = [];
    if (builtin) {
      triggerEvents = events.filter((t) => canonicalTrigger(t.trigger) === trigger && t.path === undefined);
      const latest = triggerEvents.at(-1);
      const kept = previous?.anchors?.[trigger];
      const current = latest
        ? { id: latest.id, ...(revision !== undefined ? { revision } : {}) }
        : kept && kept.revision === revision
          ? kept
          : undefined;
      if (current) anchors[trigger] = current;
      anchor = current?.id ?? transitionId(ident, trigger, `r${revision ?? ""}`);
    }

    conditions.forEach((cond, index) => {
      if (!cond.when || conditionSubject(cond) !== kind) return;
      const hash = shortHash(cond.when);
      const key = `${trigger}[${index}]#${hash}`;
      let when: ReturnType<typeof compileCondition>;
      try {
        when = compileCondition(cond.when, { trigger, index, field: "when" });
      } catch (err) {
        problems.push({ trigger, index, message: (err as Error).message });
        return;
      }
      const now = evaluateWhen(when, activation);
      if (now.error) problems.push({ trigger, index, message: `when: ${now.error}` });

      let oncePer: string | undefined;
      let onceLate = false;
      if (now.holds && cond.oncePer) {
        try {
          const r = evaluateOncePer(
            compileCondition(cond.oncePer, { trigger, index, field: "oncePer" }),
            activation,
          );
          if (r.error) problems.push({ trigger, index, message: `oncePer: ${r.error}` });
          oncePer = r.value;
          onceLate = r.late === true;
        } catch (err) {
          problems.push({ trigger, index, message: (err as Error).message });
          return;
        }
      }

      const before = previous?.conditions[key];
      if (now.late || onceLate) {
        // Not evaluated in time (the namespace's render share, the detection's limit): nothing is known of it on
        // this update, so what was known stays (recording false would make its next true look like a rise and
        // send a notification upstream never sends). A new object's condition stays "false before", as new.
        if (before) state.conditions[key] = before;
        else if (previous === undefined && !input.baseline) state.conditions[key] = { on: false, n: 0 };
        return;
      }
      // unknown before: a new object counts as "false before"; a new/edited condition on a known object does not
      const baseline = input.baseline || (previous !== undefined && before === undefined);
      let rising =
        now.holds && !baseline && (!before?.on || (cond.oncePer ? before.oncePer !== oncePer : false));
      const n = (before?.n ?? 0) + (rising && !cond.oncePer && !builtin ? 1 : 0);
      const next: CustomConditionState = { on: now.holds, n };
      if (oncePer !== undefined) next.oncePer = oncePer;
      else if (!now.holds && before?.oncePer !== undefined) next.oncePer = before.oncePer;

      let id: string;
      if (builtin) {
        // what the event path sends for this condition on this update (its `when` on the event's object)
        let sent = before?.sent;
        for (const e of triggerEvents) {
          const r = evaluateWhen(
            when,
            eventActivation(e, config, { now: input.now, rollout: input.rollout }),
          );
          if (!r.holds) continue;
          sent = cond.oncePer ? undefined : conditionSendKey(e.id, ident, trigger, index, cond, undefined);
        }
        id = conditionSendKey(anchor!, ident, trigger, index, cond, cond.oncePer ? oncePer : undefined);
        if (rising && !cond.oncePer && sent === id) rising = false; // already sent for this event
        if (rising && !cond.oncePer) sent = id;
        if (sent !== undefined) next.sent = sent;
      } else {
        id = cond.oncePer
          ? `${uid}:${trigger}:${index}:${hash}:once:${oncePer}`
          : `${uid}:${trigger}:${index}:${hash}:${n}`;
      }
      state.conditions[key] = next;
      if (!rising) return;

      const rolloutRef = owningRolloutRef(object, input.rollout);
      const t: Transition = {
        id,
        trigger,
        object: objectRef(object),
        snapshot: object,
        condition: index,
        detail: transitionDetail(cond.description ?? `when ${cond.when}`),
      };
      if (builtin) t.path = "condition";
      if (rolloutRef) t.rollout = rolloutRef;
      if (revision !== undefined) t.revision = revision;
      transitions.push(t);
    });
  }

  if (Object.keys(anchors).length > 0) state.anchors = anchors;
  return { transitions, state, problems };
}
