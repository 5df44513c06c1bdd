// Which constructs of one template source will not render here as in Argo Rollouts, each with its line in the
// source: `migrate` asks this for every template field. Go templates run on the Go template interpreter, so this is
// its check (syntax errors, functions this service does not provide, {{template}} calls of undefined templates);
// a source mixing Go and Handlebars syntax is one problem; Handlebars and plain text have none.
import { checkGoTemplate, detectTemplateSyntax } from "../templates/go-template/index.ts";

export interface TemplateProblem {
  /** 1-based line inside the source. */
  line: number;
  /** Why it does not render here as in Argo Rollouts. */
  reason: string;
}

export function checkTemplateSource(source: string): TemplateProblem[] {
  let syntax: string;
  try {
    syntax = detectTemplateSyntax(source);
  } catch (err) {
    return [{ line: 1, reason: (err as Error).message }];
  }
  if (syntax !== "go") return [];
  return checkGoTemplate(source).problems.map((p) => ({ line: p.line, reason: p.message }));
}
