// Built-in GitLab commit statuses (common/commit-status.ts), an external job per Rollout: running while the
// revision progresses, success on completion, failed on an abort, a failed analysis or an analysis error.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { builtinCommitStatus } from "../common/commit-status.ts";
import type { GitLabTemplateSpec } from "./gitlab-types.ts";

/** GitLab's states used: pending|running|success|failed|canceled|skipped. */
const GITLAB_STATES = { success: "success", failure: "failed", error: "failed", inProgress: "running" };

export function builtinGitlabTemplate(p: TriggerPresentation): GitLabTemplateSpec {
  return builtinCommitStatus(p, GITLAB_STATES);
}
