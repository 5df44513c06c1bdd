// Go templates (ConfigMaps written for Argo Rollouts) are executed directly, with text/template's semantics
// and Sprig's functions (README.md in this folder says why). This is the surface the rest of the service uses:
// compile (parse + load-time checks), render, and checkGoTemplate for `migrate`.
import {
  DEFAULT_GO_EXEC_LIMITS,
  executeGoTemplate,
  type GoExecLimits,
  goFunctionNames,
  goFunctionTable,
} from "./go-exec.ts";
import {
  type GoArg,
  type GoNode,
  GoParseError,
  type GoPipe,
  type GoTemplateTree,
  parseGoTemplate,
} from "./go-parse.ts";
import { GoTime, parseTime, UTC } from "./go-time.ts";
import { GoExecError, GoFunc, type GoValue } from "./go-values.ts";
import { SLACK_FUNCTION_NAMES, type SlackResolver, slackFunctions } from "./slack-functions.ts";

export { DEFAULT_GO_EXEC_LIMITS, type GoExecLimits } from "./go-exec.ts";
export { GoParseError } from "./go-parse.ts";
export { GoExecError } from "./go-values.ts";
export type { SlackResolver } from "./slack-functions.ts";
export { detectTemplateSyntax, type TemplateSyntax } from "./syntax.ts";

const FUNCTION_NAMES = goFunctionNames();

export interface GoTemplateProblem {
  line: number;
  message: string;
}

function visitPipe(pipe: GoPipe, line: number, visit: (name: string, line: number) => void): void {
  const arg = (a: GoArg) => {
    if (a.kind === "ident") visit(a.name, line);
    if (a.kind === "pipe") visitPipe(a.pipe, line, visit);
  };
  for (const c of pipe.commands) for (const a of c) arg(a);
}

function visitNodes(nodes: GoNode[], visit: (name: string, line: number) => void): void {
  for (const n of nodes) {
    switch (n.kind) {
      case "action":
        visitPipe(n.pipe, n.line, visit);
        break;
      case "template":
        if (n.pipe) visitPipe(n.pipe, n.line, visit);
        break;
      case "if":
      case "range":
      case "with":
        visitPipe(n.pipe, n.line, visit);
        visitNodes(n.body, visit);
        if (n.elseBody) visitNodes(n.elseBody, visit);
        break;
    }
  }
}

/** Functions the template calls that this service cannot run (with the line of each use). */
function unsupportedUses(tree: GoTemplateTree): GoTemplateProblem[] {
  const table = goFunctionTable();
  const out: GoTemplateProblem[] = [];
  const visit = (name: string, line: number) => {
    const why = table[name]?.unsupported;
    if (why) out.push({ line, message: `function "${name}" is not supported: ${why}` });
  };
  visitNodes(tree.root, visit);
  for (const body of tree.defines.values()) visitNodes(body, visit);
  return out;
}

/** {{template "x"}} calls of templates the source does not define (Go fails when it executes one). */
function undefinedTemplates(tree: GoTemplateTree): GoTemplateProblem[] {
  const out: GoTemplateProblem[] = [];
  const walk = (nodes: GoNode[]) => {
    for (const n of nodes) {
      if (n.kind === "template" && !tree.defines.has(n.name))
        out.push({ line: n.line, message: `no such template "${n.name}" (in ${n.raw})` });
      if (n.kind === "if" || n.kind === "range" || n.kind === "with") {
        walk(n.body);
        if (n.elseBody) walk(n.elseBody);
      }
    }
  };
  walk(tree.root);
  for (const body of tree.defines.values()) walk(body);
  return out;
}

/**
 * Everything in a Go template source that would not render here as it does in Argo Rollouts, each with its
 * line: syntax errors (the first one; parsing stops there, as in Go), calls of undefined functions, calls
 * of Sprig functions this service does not provide, and {{template}} calls of templates that are not defined. Empty when the template executes as upstream would.
 */
export function checkGoTemplate(source: string): { problems: GoTemplateProblem[] } {
  try {
    const tree = parseGoTemplate(source, FUNCTION_NAMES);
    const problems = [...unsupportedUses(tree), ...undefinedTemplates(tree)].sort((a, b) => a.line - b.line);
    return { problems };
  } catch (err) {
    if (err instanceof GoParseError)
      return { problems: [{ line: err.line, message: err.message.replace(/^line \d+: /, "") }] };
    throw err;
  }
}

export interface CompiledGoTemplate {
  tree: GoTemplateTree;
  /** Things that will render differently from upstream without failing (e.g. Slack lookups rendering ""). */
  warnings: GoTemplateProblem[];
}

/** Uses of the Slack mention helpers: they render "" here (no Slack directory), so each is worth a warning. */
function slackHelperUses(tree: GoTemplateTree): GoTemplateProblem[] {
  const out: GoTemplateProblem[] = [];
  const visit = (name: string, line: number) => {
    if (SLACK_FUNCTION_NAMES.includes(name))
      out.push({ line, message: `${name} renders "" here: rollouts-notifier does not look up Slack IDs` });
  };
  visitNodes(tree.root, visit);
  for (const body of tree.defines.values()) visitNodes(body, visit);
  return out;
}

/** Parses and checks a Go template. Throws GoParseError (a syntax error or an unsupported function) naming the line. */
export function compileGoTemplate(source: string): CompiledGoTemplate {
  const tree = parseGoTemplate(source, FUNCTION_NAMES);
  const bad = unsupportedUses(tree)[0];
  if (bad) throw new GoParseError(bad.message.split(":")[0]!, bad.line, bad.message);
  return { tree, warnings: slackHelperUses(tree) };
}

/** `time` as a template variable: `{{ (call .time.Now).Format "2006-01-02" }}`, `{{ call .time.Parse "…" }}`. */
function timeVariable(now: GoTime): GoValue {
  return {
    Now: new GoFunc("Now", () => now),
    Parse: new GoFunc("Parse", ([s]) => {
      if (typeof s !== "string") throw new GoExecError("time.Parse: expected a string");
      const t = parseTime("2006-01-02T15:04:05Z07:00", s);
      if (!t)
        throw new GoExecError(
          `parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
        );
      return t;
    }),
  };
}

/** The notification's time (TemplateContext.time, ISO 8601) as a Go time in UTC. */
function nowOf(ctx: object): GoTime {
  const iso = (ctx as { time?: unknown }).time;
  const ms = typeof iso === "string" ? Date.parse(iso) : Number.NaN;
  return new GoTime(Number.isNaN(ms) ? Date.now() : ms, 0, UTC);
}

export interface GoRenderOptions {
  limits?: Partial<GoExecLimits>;
  /** See GoExecOptions.escapeInJsonStrings. */
  escapeInJsonStrings?: boolean;
  slack?: SlackResolver;
  onWarning?: (message: string) => void;
}

/**
 * Renders with the template context as dot (`.rollout`, `.recipient`, `.serviceType`, `.context`, …) and `time`
 * as a variable with Now and Parse. `now`, `ago` and `time.Now` are the notification's time, so a retry renders
 * the same text. Throws GoExecError.
 */
export function renderGoTemplate(t: CompiledGoTemplate, ctx: object, opts: GoRenderOptions = {}): string {
  const now = nowOf(ctx);
  const data = { ...(ctx as Record<string, GoValue>), time: timeVariable(now) };
  return executeGoTemplate(t.tree, data, {
    limits: opts.limits ?? DEFAULT_GO_EXEC_LIMITS,
    functions: opts.slack ? slackFunctions(opts.slack) : undefined,
    now: () => now,
    onWarning: opts.onWarning,
    escapeInJsonStrings: opts.escapeInJsonStrings,
  });
}
