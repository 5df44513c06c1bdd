// Renders the `github:` sections as upstream's templater does: repoURLPath and revisionPath (default: the built-in
// paths, see github-builtin.ts), then status, deployment, pullRequestComment, checkRun and repositoryDispatch when a
// template has them (a later template's non-empty field wins; requiredContexts, autoMerge, transientEnvironment and
// commentTag are values, not templates). A template without a `github:` section takes the trigger's built-in
// status. Values are inserted as they are (JSON-escaped inside repositoryDispatch.client_payload).
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { GitHubPart, GitHubServiceConfig, GitHubTemplateSpec } from "./github-types.ts";

const STATUS_FIELDS = ["state", "label", "targetURL"] as const;
const DEPLOYMENT_FIELDS = ["state", "environment", "environmentURL", "logURL", "reference"] as const;
const CHECK_RUN_FIELDS = [
  "name",
  "details_url",
  "status",
  "conclusion",
  "started_at",
  "completed_at",
] as const;
const CHECK_RUN_OUTPUT_FIELDS = ["title", "summary", "text"] as const;

export function githubTemplateSources(spec: GitHubTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "string") out.push([path, v]);
  };
  add("repoURLPath", spec.repoURLPath);
  add("revisionPath", spec.revisionPath);
  for (const k of STATUS_FIELDS) add(`status.${k}`, spec.status?.[k]);
  for (const k of DEPLOYMENT_FIELDS) add(`deployment.${k}`, spec.deployment?.[k]);
  add("pullRequestComment.content", spec.pullRequestComment?.content);
  for (const k of CHECK_RUN_FIELDS) add(`checkRun.${k}`, spec.checkRun?.[k]);
  for (const k of CHECK_RUN_OUTPUT_FIELDS) add(`checkRun.output.${k}`, spec.checkRun?.output?.[k]);
  add("repositoryDispatch.event_type", spec.repositoryDispatch?.event_type);
  add("repositoryDispatch.client_payload", spec.repositoryDispatch?.client_payload);
  return out;
}

/** Values are inserted as they are, but inside the dispatch's JSON payload as JSON string content. */
export const githubEscapeMode = (field: string): EscapeMode =>
  field === "repositoryDispatch.client_payload" ? "json" : "none";

/** The last value a template sets for a non-template key (`pick` reads it from the section as written). */
function lastValue<T>(
  templates: readonly CompiledTemplate[],
  pick: (s: GitHubTemplateSpec) => T | undefined,
): T | undefined {
  let out: T | undefined;
  for (const t of templates) {
    const section = t.spec.github;
    const v = section ? pick(section) : undefined;
    if (v !== undefined) out = v;
  }
  return out;
}

export function renderGithub(input: RenderInput<GitHubServiceConfig>): GitHubPart {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "github.") || t.spec.github !== undefined);
  const builtin = own.length ? undefined : input.builtin();
  const templates = builtin ?? own;
  const r = (path: string, from = templates) => lastNonEmpty(from, `github.${path}`, ctx)?.value.trim();
  // upstream defaults an unset path to its fixed one; here to the built-in's
  const path = (k: "repoURLPath" | "revisionPath") => r(k) ?? r(k, builtin ?? input.builtin());
  const part: GitHubPart = { repoURL: path("repoURLPath") ?? "", revision: path("revisionPath") ?? "" };
  const has = (k: "status" | "deployment" | "pullRequestComment" | "checkRun" | "repositoryDispatch") =>
    templates.some((t) => t.spec.github?.[k] !== undefined);
  if (has("status"))
    part.status = {
      state: r("status.state") ?? "",
      label: r("status.label") ?? "",
      targetURL: r("status.targetURL") ?? "",
    };
  if (has("deployment")) {
    const requiredContexts = lastValue(templates, (s) => s.deployment?.requiredContexts);
    part.deployment = {
      state: r("deployment.state") ?? "",
      environment: r("deployment.environment") ?? "",
      environmentURL: r("deployment.environmentURL") ?? "",
      logURL: r("deployment.logURL") ?? "",
      autoMerge: lastValue(templates, (s) => s.deployment?.autoMerge) ?? true,
      transientEnvironment: lastValue(templates, (s) => s.deployment?.transientEnvironment) ?? false,
      reference: r("deployment.reference") ?? "",
    };
    if (requiredContexts) part.deployment.requiredContexts = requiredContexts;
  }
  if (has("pullRequestComment")) {
    const content = lastNonEmpty(templates, "github.pullRequestComment.content", ctx)?.value ?? "";
    const commentTag = lastValue(templates, (s) => s.pullRequestComment?.commentTag);
    part.pullRequestComment = commentTag ? { content, commentTag } : { content };
  }
  if (has("checkRun")) {
    part.checkRun = {
      name: r("checkRun.name") ?? "",
      detailsURL: r("checkRun.details_url") ?? "",
      status: r("checkRun.status") ?? "",
      conclusion: r("checkRun.conclusion") ?? "",
      startedAt: r("checkRun.started_at") ?? "",
      completedAt: r("checkRun.completed_at") ?? "",
    };
    if (templates.some((t) => t.spec.github?.checkRun?.output !== undefined))
      part.checkRun.output = {
        title: r("checkRun.output.title") ?? "",
        summary: lastNonEmpty(templates, "github.checkRun.output.summary", ctx)?.value ?? "",
        text: lastNonEmpty(templates, "github.checkRun.output.text", ctx)?.value ?? "",
      };
  }
  if (has("repositoryDispatch"))
    part.repositoryDispatch = {
      eventType: r("repositoryDispatch.event_type") ?? "",
      clientPayload: r("repositoryDispatch.client_payload") ?? "",
    };
  if (builtin) {
    const message = lastNonEmpty(input.templates, "message", ctx) ?? lastNonEmpty(builtin, "message", ctx);
    if (message) part.description = message.value;
  }
  return part;
}
