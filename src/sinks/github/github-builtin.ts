// Built-in GitHub commit statuses: one status context per Rollout ("argo-rollouts/<namespace>/<name>") on the
// commit the revision was built from, pending while the revision progresses, success on completion, failure on an
// abort or a failed analysis, error on an analysis error. The repository and commit come from the OCI annotations
// `org.opencontainers.image.source` and `org.opencontainers.image.revision` on the pod template (per revision),
// else on the Rollout (upstream's defaults read Argo CD's Application, which a Rollout does not have).
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { GitHubTemplateSpec } from "./github-types.ts";

export const SOURCE_ANNOTATION = "org.opencontainers.image.source";
export const REVISION_SOURCE_ANNOTATION = "org.opencontainers.image.revision";

const annotation = (key: string) =>
  `{{default (lookup rollout.spec.template.metadata.annotations '${key}') (lookup rollout.metadata.annotations '${key}')}}`;

export const BUILTIN_REPO_URL_PATH = annotation(SOURCE_ANNOTATION);
export const BUILTIN_REVISION_PATH = annotation(REVISION_SOURCE_ANNOTATION);

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
