// Which constructs of one template source will not work here, each with its line in the source. The one place
// `migrate` and the loader ask this: when the Go template interpreter lands (issue 10 item 4), this function
// asks it instead of the Go → Handlebars converter.
//
// Today: the converter stops at the first construct it cannot convert, so the check converts, blanks the
// construct it reported (same length, newlines kept, so later lines keep their numbers) and converts again, until
// the source converts or nothing more is found (bounded).
import { convertGoTemplate } from "../templates/go-template/convert.ts";
import { GoConstructError } from "../templates/go-template/go-parse.ts";

export interface TemplateProblem {
  /** 1-based line inside the source. */
  line: number;
  /** The construct as written, e.g. `{{ regexReplaceAll "a" .x "b" }}`. */
  construct: string;
  /** Why it does not work here. */
  reason: string;
}

const MAX_PROBLEMS = 50;

export function checkTemplateSource(source: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  /** Variables declared by constructs already reported (their later uses are not problems of their own). */
  const declared = new Set<string>();
  let current = source;
  while (problems.length < MAX_PROBLEMS) {
    try {
      convertGoTemplate(current, "check");
      return byLine(problems);
    } catch (err) {
      const cause = (err as Error).cause;
      if (!(cause instanceof GoConstructError)) {
        problems.push({ line: 1, construct: "", reason: stripPrefix((err as Error).message) });
        return byLine(problems);
      }
      const reason = reasonOf(cause);
      const undefinedVar = /^undefined variable \$(\w+)/.exec(reason)?.[1];
      if (!undefinedVar || !declared.has(undefinedVar))
        problems.push({ line: cause.line, construct: cause.construct, reason });
      for (const m of cause.construct.matchAll(/\$(\w+)\s*:?=/g)) declared.add(m[1]!);
      const next = blank(current, cause.construct, cause.line);
      if (next === current) return byLine(problems);
      current = next;
    }
  }
  return byLine(problems);
}

function byLine(problems: TemplateProblem[]): TemplateProblem[] {
  return problems.sort((a, b) => a.line - b.line);
}

function stripPrefix(message: string): string {
  return message.replace(/^template "[^"]*"(?: field "[^"]*")?: /, "");
}

function reasonOf(err: GoConstructError): string {
  return err.message.replace(/^cannot convert Go template construct ".*" \(line \d+\): /s, "");
}

/** The source with the construct (first occurrence at or after its line) replaced by spaces. */
function blank(source: string, construct: string, line: number): string {
  if (!construct) return source;
  let from = 0;
  for (let l = 1; l < line && from >= 0; l++) from = source.indexOf("\n", from) + 1;
  let at = source.indexOf(construct, Math.max(0, from));
  if (at < 0) at = source.indexOf(construct);
  if (at < 0) return source;
  const spaces = construct.replace(/[^\n]/g, " ");
  return source.slice(0, at) + spaces + source.slice(at + construct.length);
}
