// Dry-render at load: every field of a template is rendered, under the normal render budgets, against sample
// objects (sample-objects.ts) for each trigger that sends it, so a template that cannot render is found when the
// config loads, not when a trigger fires.
//
// What rejects the template (`fatal`) is what fails whatever object the controller writes:
//   - a render budget overrun (time, output, iterations, depth — render-budget.ts);
//   - a Go template error that does not depend on the data: an undefined function or variable, a missing
//     `template`, a wrong number of arguments.
// Any other render error depends on the object (e.g. `index` of a map the sample does not have, a type the
// sample's field does not match): Go fails the same way only for objects that look like that, so it is a
// warning naming the trigger and the field, and the template loads. A missing field printing `<no value>` (Go) or
// nothing (Handlebars) is not a problem at all: that is the engines' own behaviour.
import type { ServiceType } from "../config/types.ts";
import { SERVICE_TYPES } from "../sinks/registry.ts";
import type { CompiledTemplate } from "./compile.ts";
import { buildTemplateContext } from "./context.ts";
import { renderField } from "./fields.ts";
import { GoExecError } from "./go-template/index.ts";
import { renderBudgetErrorOf, withRenderBudget } from "./render-budget.ts";
import { SAMPLE_ANALYSIS_RUN, SAMPLE_ROLLOUT } from "./sample-objects.ts";

export interface DryRenderProblem {
  trigger: string;
  field: string;
  message: string;
  /** True: the template cannot render for any object (reject it); false: it fails for objects like the sample. */
  fatal: boolean;
  /** It failed because the namespace's share of rendering time ran out, not by itself. */
  share?: true;
}

/** The sample time notifications are dry-rendered at (fixed: the result does not depend on the clock). */
const SAMPLE_TIME = "2019-10-28T04:52:55Z";

const DATA_INDEPENDENT_GO_ERROR =
  /function "[^"]*" not defined|undefined variable: |no such template |wrong number of args for /;

function isFatal(err: unknown): boolean {
  if (renderBudgetErrorOf(err)) return true;
  let e: unknown = err;
  for (let i = 0; i < 8 && e; i++) {
    if (e instanceof GoExecError) return DATA_INDEPENDENT_GO_ERROR.test(e.message);
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function sampleContext(trigger: string, serviceType: ServiceType, context: Record<string, string>) {
  const analysis = trigger.startsWith("on-analysis-run-");
  const object = analysis ? SAMPLE_ANALYSIS_RUN : SAMPLE_ROLLOUT;
  const meta = object.metadata;
  return buildTemplateContext({
    transition: {
      id: `dry-render:${trigger}`,
      trigger,
      object: {
        kind: object.kind ?? "Rollout",
        namespace: meta.namespace ?? "",
        name: meta.name ?? "",
        uid: meta.uid ?? "",
      },
      revision: "31",
      snapshot: object,
      detail: analysis ? "phase Failed" : "step 1/4",
    },
    rollout: SAMPLE_ROLLOUT,
    analysisRuns: [SAMPLE_ANALYSIS_RUN],
    ...(analysis ? { analysisRun: SAMPLE_ANALYSIS_RUN } : {}),
    recipient: "sample-recipient",
    serviceType,
    context,
    now: SAMPLE_TIME,
  });
}

/**
 * Renders every field of `template` for each trigger (each with its own render budget, as a notification has).
 * Returns one problem per field and trigger that failed; stops at the first fatal one.
 */
export function dryRenderTemplate(
  template: CompiledTemplate,
  triggers: readonly string[],
  context: Record<string, string> = {},
  /** When the namespace's share of rendering time runs out (render-share.ts): later renders fail at once. */
  shareDeadlineAt?: number,
): DryRenderProblem[] {
  const problems: DryRenderProblem[] = [];
  const problemOf = (trigger: string, field: string, err: unknown): DryRenderProblem => {
    const share = renderBudgetErrorOf(err)?.limit === "share";
    const message = err instanceof Error ? err.message : String(err);
    return { trigger, field, message, fatal: isFatal(err), ...(share ? { share: true as const } : {}) };
  };
  for (const trigger of triggers) {
    try {
      withRenderBudget(shareDeadlineAt === undefined ? undefined : { shareDeadlineAt }, () => {
        for (const path of template.fields.keys()) {
          const section = path.slice(0, Math.max(0, path.indexOf(".")));
          const type = SERVICE_TYPES.find((t) => t.templates.section === section)?.type ?? "slack";
          const ctx = sampleContext(trigger, type as ServiceType, context);
          try {
            renderField(template, path, ctx);
          } catch (err) {
            const problem = problemOf(trigger, path, err);
            problems.push(problem);
            if (problem.fatal) return;
          }
        }
      });
    } catch (err) {
      // no render time left at all (the namespace's share): not one field was rendered
      problems.push(problemOf(trigger, template.fields.keys().next().value ?? "", err));
    }
    if (problems.some((p) => p.fatal)) break;
  }
  return problems;
}
