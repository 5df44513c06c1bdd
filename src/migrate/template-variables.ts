// Top-level template variables a Go template reads below (`.app.metadata.name`) that Argo Rollouts does not
// provide: its templates get `rollout`, `analysisRuns`, `time`, `secrets`, `serviceType` and `recipient` only
// (argo-rollouts utils/record/record.go, notifications-engine pkg/api/api.go). Go's text/template gives a missing
// map key an invalid value, and a field of an invalid value is invalid too (exec.go evalField), so such a use
// prints `<no value>` — there and here (the same interpreter semantics); only a field of a JSON null fails.
// `.context` is this service's own key, so it renders differently. Templates copied from Argo CD are the usual
// case.
//
// `.analysisRun.…` is the other way round: this service's variable for AnalysisRun triggers (docs/templates.md),
// which Argo Rollouts does not have (its AnalysisRun events are sent with `rollout` and `analysisRuns` only), so
// there it prints `<no value>` and here the run's field.
//
// Only the names seen in such copies are looked for (`app`, `repo`, `context`, `analysisRun`): inside
// `range`/`with` the dot changes, so any other `.name.field` may be fine.

export interface VariableUse {
  /** 1-based line in the source. */
  line: number;
  name: "app" | "repo" | "context" | "analysisRun";
  /** The expression as written, e.g. `.app.metadata.name`. */
  expression: string;
}

const USE =
  /(?<![\w$)\]])\.(app|repo|context|analysisRun)\.[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*/gu;
const ACTION = /\{\{[\s\S]*?\}\}/g;
const MAX_USES = 50;

/** Uses of `.app.…`, `.repo.…`, `.context.…`, `.analysisRun.…` inside `{{ … }}` actions. */
export function argoCdVariableUses(source: string): VariableUse[] {
  const out: VariableUse[] = [];
  for (const action of source.matchAll(ACTION)) {
    for (const m of action[0].matchAll(USE)) {
      if (out.length >= MAX_USES) return out;
      const at = action.index + m.index;
      const line = source.slice(0, at).split("\n").length;
      out.push({ line, name: m[1] as VariableUse["name"], expression: m[0] });
    }
  }
  return out;
}

/** What a use of that variable does (the loader's warning, migrate's item). */
export function ARGO_CD_VARIABLE(name: VariableUse["name"]): string {
  if (name === "analysisRun") return ANALYSIS_RUN_VARIABLE;
  return name === "context"
    ? 'Argo Rollouts has no `context` (it ignores that ConfigMap key), so there this prints "<no value>"; here it reads this service\'s `context` key'
    : `\`${name}\` is not a template variable here nor in Argo Rollouts (an Argo CD template?): it prints "<no value>", there as here (a field of a missing variable is missing too)`;
}

/** A template's `.analysisRun.…` (the loader's warning, migrate's difference). */
export const ANALYSIS_RUN_VARIABLE =
  'Argo Rollouts has no `analysisRun` variable (its AnalysisRun events are sent with `rollout` and `analysisRuns` only), so there this prints "<no value>"; here it is the field of the run of an on-analysis-run-* trigger';

/** A `when`/`oncePer` reading `analysisRun` (the loader's warning, migrate's difference). */
export const ANALYSIS_RUN_CONDITION =
  "Argo Rollouts has no `analysisRun` variable: there it is nil, so a field of it fails the condition (false: nothing is sent) and `analysisRun == nil` holds; here it is the run of an on-analysis-run-* trigger";

/** A `when`/`oncePer` reading `context` (the loader's warning, migrate's difference). */
export const CONTEXT_CONDITION =
  "Argo Rollouts has no `context` variable in conditions: there it is nil, so a field of it fails the condition (false: nothing is sent); here it is this service's `context` key";
