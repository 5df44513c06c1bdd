// Built-in GitLab commit statuses: one external job per Rollout ("argo-rollouts/<namespace>/<name>") on the commit
// the revision was built from (the Rollout's OCI annotations, common/source-annotations.ts): running while the
// revision progresses, success on completion, failed on an abort, a failed analysis or an analysis error.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { BUILTIN_REPO_URL_PATH, BUILTIN_REVISION_PATH } from "../common/source-annotations.ts";
import type { GitLabTemplateSpec } from "./gitlab-types.ts";

/** The commit status state (pending|running|success|failed|canceled|skipped) a trigger leaves. */
function statusState(p: TriggerPresentation): string {
  if (p.trigger === "on-rollout-completed") return "success";
  if (p.trigger === "on-analysis-run-completed")
    // a background analysis ending after its revision completed keeps the status at success
    return (
      "{{#if (and rollout.status.stableRS (eq rollout.status.stableRS rollout.status.currentPodHash) " +
      "(eq revision (lookup rollout.metadata.annotations 'rollout.argoproj.io/revision')))}}success" +
      "{{else}}{{#if (eq analysisRun.status.phase 'Failed' 'Error')}}failed{{else}}running{{/if}}{{/if}}"
    );
  if (p.outcome === "failure" || p.outcome === "warning") return "failed";
  return "running";
}

export function builtinGitlabTemplate(p: TriggerPresentation): GitLabTemplateSpec {
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
