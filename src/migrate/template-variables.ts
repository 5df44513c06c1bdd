// Top-level template variables a Go template reads below (`.app.metadata.name`) that Argo Rollouts does not
// provide: its templates get `rollout`, `analysisRuns`, `time`, `secrets`, `serviceType` and `recipient` only
// (argo-rollouts utils/record/record.go, notifications-engine pkg/api/api.go). Go's text/template fails on a field
// of a missing variable ("nil pointer evaluating interface {}.metadata"), so such a template never sends — there
// and here (the same interpreter semantics); `.context` is this service's own key, so only it renders differently.
// Templates copied from Argo CD are the usual case.
//
// Only the names seen in such copies are looked for (`app`, `repo`, `context`): inside `range`/`with` the dot
// changes, so any other `.name.field` may be fine.

export interface VariableUse {
  /** 1-based line in the source. */
  line: number;
  name: "app" | "repo" | "context";
  /** The expression as written, e.g. `.app.metadata.name`. */
  expression: string;
}

const USE = /(?<![\w$)\]])\.(app|repo|context)\.[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*/gu;
const ACTION = /\{\{[\s\S]*?\}\}/g;
const MAX_USES = 50;

/** Uses of `.app.…`, `.repo.…`, `.context.…` inside `{{ … }}` actions. */
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
  return name === "context"
    ? "Argo Rollouts has no `context` (it ignores that ConfigMap key), so its template fails on this and sends nothing; here it reads this service's `context` key and sends"
    : `\`${name}\` is not a template variable here nor in Argo Rollouts (an Argo CD template?): the template fails at every render ("nil pointer evaluating interface {}"), here as in Argo Rollouts, so nothing is sent (each failure is reported)`;
}
