// `trigger.<name>` keys: a YAML list of { when, send, oncePer, description }. `when`/`oncePer` are compiled
// (CEL, expr-lang keywords accepted) at load so a broken condition is an error on its key, not at the first event.
import { z } from "zod";
import { ANALYSIS_RUN_CONDITION, CONTEXT_CONDITION } from "../migrate/template-variables.ts";
import { ConditionCompileError, compileCondition } from "../triggers/conditions.ts";
import { canonicalTrigger, isBuiltinTrigger } from "../triggers/trigger-names.ts";
import { issuePath, type KeyErrors } from "./config-error.ts";
import type { TriggerCondition } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

const templateNames = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .transform((v) => (typeof v === "string" ? [v] : v))
  .refine((v) => v.length > 0, { message: "must name at least one template" });

const conditionSchema = z.object({
  when: z.string().optional(),
  send: templateNames,
  oncePer: z.string().optional(),
  description: z.string().optional(),
});

export function parseTriggerEntry(
  rawName: string,
  text: string,
  errors: KeyErrors,
): { name: string; conditions: TriggerCondition[] } | undefined {
  const name = canonicalTrigger(rawName);
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value;
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.error("must be a non-empty YAML list of conditions ({when, send, oncePer, description})");
    return undefined;
  }
  const conditions: TriggerCondition[] = [];
  raw.forEach((item, index) => {
    if (!isPlainObject(item)) {
      errors.error("must be a mapping {when, send, oncePer, description}", `[${index}]`);
      return;
    }
    warnUnknownFields(item, Object.keys(conditionSchema.shape), [], errors, `[${index}]`);
    const r = conditionSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) errors.error(issue.message, issuePath([index, ...issue.path]));
      return;
    }
    const cond: TriggerCondition = { send: r.data.send };
    for (const field of ["when", "oncePer"] as const) {
      const src = r.data[field];
      if (src === undefined || src.trim() === "") continue;
      try {
        const compiled = compileCondition(src, { trigger: name, index, field });
        cond[field] = src;
        // variables Argo Rollouts' conditions do not have (rollout, analysisRuns, time, secrets): nil there
        if (compiled.variables.has("analysisRun")) errors.warn(ANALYSIS_RUN_CONDITION, `[${index}].${field}`);
        if (compiled.variables.has("context")) errors.warn(CONTEXT_CONDITION, `[${index}].${field}`);
      } catch (err) {
        if (!(err instanceof ConditionCompileError)) throw err;
        // the location is already in the path; keep the reason only
        errors.error(
          err.message.replace(/^trigger "[^"]*" condition \[\d+\] \w+: /, ""),
          `[${index}].${field}`,
        );
      }
    }
    if (r.data.description !== undefined) cond.description = r.data.description;
    if (!isBuiltinTrigger(name) && !cond.when && !errors.errors.some((e) => e.path === `[${index}].when`)) {
      // upstream loads it (its `when` defaults to false) and never sends it: the same here, said loudly
      errors.warn(
        "a custom trigger condition without `when` never fires (as in Argo Rollouts)",
        `[${index}].when`,
      );
    }
    conditions.push(cond);
  });
  if (!errors.ok) return undefined;
  if (isBuiltinTrigger(name) && conditions.some((c) => c.when || c.oncePer)) {
    // one warning per key (not per condition, not per Rollout): said at every load, without nagging users who
    // write `when` on built-in triggers on purpose; `migrate` details each condition
    errors.warn(BUILTIN_CONDITION_DIFFERENCE);
  }
  return { name, conditions };
}

/** The load warning for `when`/`oncePer` on a built-in trigger (docs/migrating.md, Triggers and conditions). */
export const BUILTIN_CONDITION_DIFFERENCE =
  "`when`/`oncePer` on a built-in trigger differ from Argo Rollouts: a condition that turns false and true again within a revision is not sent again (upstream's condition path re-sends it), and `oncePer` also limits the event path — see docs/migrating.md#triggers-and-conditions-where-the-service-differs-from-argo-rollouts";
