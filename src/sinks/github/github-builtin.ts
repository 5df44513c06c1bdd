// Built-in GitHub commit statuses (common/commit-status.ts): pending while the revision progresses, success on
// completion, failure on an abort or a failed analysis, error on an analysis error.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { builtinCommitStatus } from "../common/commit-status.ts";
import type { GitHubTemplateSpec } from "./github-types.ts";

/** GitHub's commit states: error|failure|pending|success. */
const GITHUB_STATES = { success: "success", failure: "failure", error: "error", inProgress: "pending" };

export function builtinGithubTemplate(p: TriggerPresentation): GitHubTemplateSpec {
  return builtinCommitStatus(p, GITHUB_STATES);
}
