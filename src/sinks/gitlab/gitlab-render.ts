// Renders the `gitlab:` sections as the GitHub ones (github-render.ts): repoURLPath and revisionPath (default the
// built-in's paths), then status and mergeRequestComment when a template has them (a later template's non-empty
// field wins). A template without a `gitlab:` section takes the trigger's built-in status. Values as they are.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { GitLabPart, GitLabServiceConfig, GitLabTemplateSpec } from "./gitlab-types.ts";

export function gitlabTemplateSources(spec: GitLabTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "string") out.push([path, v]);
  };
  add("repoURLPath", spec.repoURLPath);
  add("revisionPath", spec.revisionPath);
  for (const k of ["state", "label", "targetURL"] as const) add(`status.${k}`, spec.status?.[k]);
  add("mergeRequestComment.content", spec.mergeRequestComment?.content);
  return out;
}

export const gitlabEscapeMode = (_field: string): EscapeMode => "none";

export function renderGitlab(input: RenderInput<GitLabServiceConfig>): GitLabPart {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "gitlab.") || t.spec.gitlab !== undefined);
  const builtin = own.length ? undefined : input.builtin();
  const templates = builtin ?? own;
  const r = (path: string, from = templates) => lastNonEmpty(from, `gitlab.${path}`, ctx)?.value.trim();
  const path = (k: "repoURLPath" | "revisionPath") => r(k) ?? r(k, builtin ?? input.builtin());
  const part: GitLabPart = { repoURL: path("repoURLPath") ?? "", revision: path("revisionPath") ?? "" };
  if (templates.some((t) => t.spec.gitlab?.status !== undefined))
    part.status = {
      state: r("status.state") ?? "",
      label: r("status.label") ?? "",
      targetURL: r("status.targetURL") ?? "",
    };
  if (templates.some((t) => t.spec.gitlab?.mergeRequestComment !== undefined))
    part.mergeRequestComment = {
      content: lastNonEmpty(templates, "gitlab.mergeRequestComment.content", ctx)?.value ?? "",
    };
  if (builtin) {
    const message = lastNonEmpty(input.templates, "message", ctx) ?? lastNonEmpty(builtin, "message", ctx);
    if (message) part.description = message.value;
  }
  return part;
}
