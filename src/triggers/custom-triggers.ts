// Custom triggers: ConfigMap `trigger.<name>` entries whose name is not a built-in. Each condition fires when its
// `when` becomes true for an object (false or unknown before → true now). Pure: the caller keeps the returned
// state with the object's other detection state and passes it back next time.
//
// Which objects a condition is evaluated on: conditions that mention `analysisRun` run on AnalysisRuns (with
// `rollout` set to the owning Rollout when the caller has it); all others run on Rollouts.
//
// Identity (Transition.id), so that a re-detection after a crash gives the same id and the queue drops it:
//   with oncePer:    <uid>:<trigger>:<i>:<hash(when)>:once:<oncePer value>  — once per value, ever (job ids dedupe)
//   without oncePer: <uid>:<trigger>:<i>:<hash(when)>:<n>  — n counts the times the condition became true
// A condition added or edited after an object was first seen starts from the object's current value (it fires
// on the next false → true, not immediately): editing a trigger must not notify every Rollout at once.
import { createHash } from "node:crypto";
import type { NotifierConfig, TriggerCondition } from "../config/types.ts";
import { type KubeObject, REVISION_ANNOTATION } from "../kube/objects.ts";
import { compileCondition, conditionActivation, evaluateOncePer, evaluateWhen } from "./conditions.ts";
import { referencesVariable } from "./conditions-expr-lang.ts";
import type { ObjectRef, Transition } from "./transition.ts";
import { isBuiltinTrigger } from "./trigger-names.ts";

export interface CustomConditionState {
  on: boolean;
  oncePer?: string;
  /** How many times the condition became true (ids of conditions without oncePer). */
  n: number;
}

/** Per-object state: keyed by `<trigger>[<i>]#<hash(when)>`. JSON-safe. */
export interface CustomTriggerState {
  conditions: Record<string, CustomConditionState>;
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
  return cond.when && referencesVariable(cond.when, "analysisRun") ? "AnalysisRun" : "Rollout";
}

/** Names of the custom (non built-in) triggers of a config. */
export function customTriggerNames(config: Pick<NotifierConfig, "triggers">): string[] {
  return Object.keys(config.triggers)
    .filter((name) => !isBuiltinTrigger(name))
    .sort();
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 10);
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

export function evaluateCustomTriggers(input: EvaluateCustomTriggersInput): CustomTriggerResult {
  const { config, previous, object } = input;
  const kind: ConditionSubject = object.kind === "AnalysisRun" ? "AnalysisRun" : "Rollout";
  const uid = object.metadata.uid ?? `${object.metadata.namespace}/${object.metadata.name}`;
  const revision = object.metadata.annotations?.[REVISION_ANNOTATION];
  const activation = conditionActivation({
    rollout: kind === "Rollout" ? object : (input.rollout ?? null),
    analysisRun: kind === "AnalysisRun" ? object : null,
    now: input.now,
    context: config.context,
  });

  const transitions: Transition[] = [];
  const problems: CustomTriggerProblem[] = [];
  const state: CustomTriggerState = { conditions: {} };

  for (const trigger of customTriggerNames(config)) {
    const conditions = config.triggers[trigger] ?? [];
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
      if (now.holds && cond.oncePer) {
        try {
          const r = evaluateOncePer(
            compileCondition(cond.oncePer, { trigger, index, field: "oncePer" }),
            activation,
          );
          if (r.error) problems.push({ trigger, index, message: `oncePer: ${r.error}` });
          oncePer = r.value;
        } catch (err) {
          problems.push({ trigger, index, message: (err as Error).message });
          return;
        }
      }

      const before = previous?.conditions[key];
      // unknown before: a new object counts as "false before"; a new/edited condition on a known object does not
      const baseline = input.baseline || (previous !== undefined && before === undefined);
      const rising =
        now.holds && !baseline && (!before?.on || (cond.oncePer ? before.oncePer !== oncePer : false));
      const n = (before?.n ?? 0) + (rising && !cond.oncePer ? 1 : 0);
      const next: CustomConditionState = { on: now.holds, n };
      if (oncePer !== undefined) next.oncePer = oncePer;
      else if (!now.holds && before?.oncePer !== undefined) next.oncePer = before.oncePer;
      state.conditions[key] = next;
      if (!rising) return;

      const id = cond.oncePer
        ? `${uid}:${trigger}:${index}:${hash}:once:${oncePer}`
        : `${uid}:${trigger}:${index}:${hash}:${n}`;
      const rolloutRef = owningRolloutRef(object, input.rollout);
      const t: Transition = {
        id,
        trigger,
        object: objectRef(object),
        snapshot: object,
        condition: index,
        detail: cond.description ?? `when ${cond.when}`,
      };
      if (rolloutRef) t.rollout = rolloutRef;
      if (revision !== undefined) t.revision = revision;
      transitions.push(t);
    });
  }

  return { transitions, state, problems };
}
