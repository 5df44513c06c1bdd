// `rollouts-notifier trigger run NAME --object FILE [--previous FILE] [--config CM.yaml] [--rollout FILE]`:
// evaluates one trigger for an object and prints what it decided, as JSON:
//   - a built-in trigger: whether detection fires it for previous → object (no --previous: the object as newly
//     created), and the ConfigMap conditions (`when`, `oncePer`) that narrow it, with their results;
//   - a custom trigger: each condition's `when`/`oncePer` result on the object.
// Nothing is sent. Exit codes: 0 evaluated; 1 a condition fails to compile or evaluate; 2 usage.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { formatConfigError } from "../../config/config-error.ts";
import { emptyConfig, loadNotifierConfig } from "../../config/load-config.ts";
import type { NotifierConfig } from "../../config/types.ts";
import type { KubeObject } from "../../kube/objects.ts";
import {
  compileCondition,
  conditionActivation,
  evaluateOncePer,
  evaluateWhen,
} from "../../triggers/conditions.ts";
import { DEFAULT_TEMPLATES } from "../../triggers/custom-trigger-plan.ts";
import { analysisRunKindDetector, rolloutKindDetector } from "../../triggers/kind-detectors.ts";
import { type BuiltinTrigger, canonicalTrigger, isBuiltinTrigger } from "../../triggers/trigger-names.ts";

export interface TriggerRunFlags {
  object: string;
  previous?: string;
  rollout?: string;
  config?: string;
  time?: string;
}

export interface ConditionResult {
  index: number;
  when?: string;
  /** The dialect the condition was read in (expr-lang, as upstream; or CEL). */
  dialect?: "expr-lang" | "cel";
  result: boolean | null;
  oncePer?: string;
  send: string[];
  error?: string;
}

export interface TriggerRunResult {
  trigger: string;
  object: { kind: string; namespace: string; name: string };
  builtin: boolean;
  /** Built-in triggers: whether detection fires it for previous → object. */
  detected?: boolean;
  transitionIds?: string[];
  conditions: ConditionResult[];
  /** The templates that would be sent. */
  send: string[];
}

class UsageError extends Error {}

function readObjects(path: string): KubeObject[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`${path}: cannot read: ${(err as Error).message}`);
  }
  const docs = parseAllDocuments(text, { logLevel: "error" });
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new UsageError(`${path}: ${d.errors[0]!.message}`);
    const v = d.toJS() as KubeObject | null;
    if (v && typeof v === "object" && v.metadata) out.push(v);
  }
  if (out.length === 0) throw new UsageError(`${path}: no Kubernetes object found`);
  return out;
}

function readConfig(path: string | undefined, trigger: string): NotifierConfig {
  if (!path) return emptyConfig();
  const objs = readObjects(path);
  const cm = objs.find((o) => o.kind === "ConfigMap");
  if (!cm) throw new UsageError(`${path}: no ConfigMap found`);
  const secret = objs.find((o) => o.kind === "Secret");
  const { config, errors } = loadNotifierConfig(cm, secret);
  const own = errors.filter((e) => canonicalTrigger(e.key.replace(/^trigger\./, "")) === trigger);
  if (own.length > 0) throw new Error(own.map(formatConfigError).join("; "));
  return config;
}

export function evaluateTriggerRun(name: string, flags: TriggerRunFlags): TriggerRunResult {
  const trigger = canonicalTrigger(name);
  const [object] = readObjects(flags.object);
  const previous = flags.previous ? readObjects(flags.previous)[0] : undefined;
  const rollout = flags.rollout ? readObjects(flags.rollout)[0] : undefined;
  const config = readConfig(flags.config, trigger);
  const now = flags.time ? new Date(flags.time) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--time: not a date: ${flags.time}`);
  const builtin = isBuiltinTrigger(trigger);
  const conditionsOf = config.triggers[trigger];
  if (!builtin && !conditionsOf) {
    throw new UsageError(
      `trigger "${name}" is neither built-in nor defined in ${flags.config ?? "the config (pass --config)"}`,
    );
  }
  const obj = object!;
  const result: TriggerRunResult = {
    trigger,
    object: { kind: obj.kind ?? "", namespace: obj.metadata.namespace ?? "", name: obj.metadata.name },
    builtin,
    conditions: [],
    send: [],
  };

  let firedEventObject: KubeObject | undefined;
  if (builtin) {
    const detector = obj.kind === "AnalysisRun" ? analysisRunKindDetector : rolloutKindDetector;
    const lookupExperiment = () => undefined;
    const prevState = previous
      ? detector.detect(undefined, previous, { baseline: true, lookupExperiment }).state
      : undefined;
    const { transitions } = detector.detect(prevState, obj, { baseline: false, lookupExperiment });
    const fired = transitions.filter((t) => t.trigger === trigger);
    firedEventObject = fired[0]?.eventObject;
    result.detected = fired.length > 0;
    result.transitionIds = fired.map((t) => t.id);
  }

  const isRun = obj.kind === "AnalysisRun";
  // a detected built-in event: its `when` sees the Rollout as the controller held it when recording the event
  const eventObject = firedEventObject;
  const activation = conditionActivation({
    rollout: isRun ? (rollout ?? null) : (eventObject ?? obj),
    analysisRun: isRun ? obj : null,
    now,
    context: config.context,
  });
  for (const [index, cond] of (conditionsOf ?? []).entries()) {
    const r: ConditionResult = { index, send: [...cond.send], result: true };
    if (cond.when) {
      r.when = cond.when;
      try {
        const compiled = compileCondition(cond.when, { trigger, index, field: "when" });
        r.dialect = compiled.dialect;
        const w = evaluateWhen(compiled, activation);
        r.result = w.holds;
        if (w.error) r.error = w.error;
      } catch (err) {
        r.result = null;
        r.error = (err as Error).message;
      }
    }
    if (cond.oncePer && r.result) {
      try {
        const once = evaluateOncePer(
          compileCondition(cond.oncePer, { trigger, index, field: "oncePer" }),
          activation,
        );
        r.oncePer = once.value;
        if (once.error) r.error = once.error;
      } catch (err) {
        r.error = (err as Error).message;
      }
    }
    result.conditions.push(r);
  }

  const applies = builtin ? result.detected === true : true;
  if (applies) {
    if (conditionsOf && conditionsOf.length > 0) {
      result.send = result.conditions.filter((c) => c.result === true).flatMap((c) => c.send);
    } else if (builtin) {
      result.send = [DEFAULT_TEMPLATES[trigger as BuiltinTrigger]];
    }
  }
  return result;
}

export function registerTriggerCommand(program: Command): void {
  const trigger = program.command("trigger").description("inspect triggers");
  trigger
    .command("run")
    .description(
      "evaluate one trigger (built-in or from the ConfigMap) for an object and print the decision as JSON",
    )
    .argument("<name>", "trigger name, e.g. on-rollout-completed or a ConfigMap trigger.<name>")
    .requiredOption("--object <file>", "the Rollout or AnalysisRun (YAML or JSON)")
    .option("--previous <file>", "the object's previous version (built-in detection compares against it)")
    .option("--rollout <file>", "the owning Rollout, for AnalysisRun conditions that read `rollout`")
    .option("--config <file>", "argo-rollouts-notification-configmap (and optionally its Secret) as YAML")
    .option("--time <iso>", "evaluation time (`time.now`), default now")
    .action((name: string, flags: TriggerRunFlags) => {
      try {
        const r = evaluateTriggerRun(name, flags);
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        process.exitCode = r.conditions.some((c) => c.result === null || c.error) ? 1 : 0;
      } catch (err) {
        process.stderr.write(`trigger run: ${(err as Error).message}\n`);
        process.exitCode = err instanceof UsageError ? 2 : 1;
      }
    });
}
