// Built-in GitHub commit statuses: one status context per Rollout ("argo-rollouts/<namespace>/<name>") on the
// commit the revision was built from, pending while the revision progresses, success on completion, failure on an
// abort or a failed analysis, error on an analysis error. The repository and commit come from the Rollout's OCI
// annotations (common/source-annotations.ts).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { BUILTIN_REPO_URL_PATH, BUILTIN_REVISION_PATH } from "../common/source-annotations.ts";
import type { GitHubTemplateSpec } from "./github-types.ts";

/** The commit status state (error|failure|pending|success) a trigger leaves. */
function statusState(p: TriggerPresentation): string {
  if (p.trigger === "on-rollout-completed") return "success";
  if (p.trigger === "on-analysis-run-completed")
    // a background analysis ending after its revision completed keeps the status at success
    return (
      "{{#if (and rollout.status.stableRS (eq rollout.status.stableRS rollout.status.currentPodHash) " +
      "(eq revision (lookup rollout.metadata.annotations 'rollout.argoproj.io/revision')))}}success" +
      "{{else}}{{#if (eq analysisRun.status.phase 'Failed' 'Error')}}failure{{else}}pending{{/if}}{{/if}}"
    );
  if (p.outcome === "failure") return "failure";
  if (p.outcome === "warning") return "error";
  return "pending";
}

export function builtinGithubTemplate(p: TriggerPresentation): GitHubTemplateSpec {
  return {
    repoURLPath: BUILTIN_REPO_URL_PATH,
    revisionPath: BUILTIN_REVISION_PATH,
    status: {
      state: statusState(p),
      label: "argo-rollouts/{{rollout.metadata.namespace}}/{{rollout.metadata.name}}",
      targetURL: "",
    },
  };
}
