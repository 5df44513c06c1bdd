// The built-in commit status of the types that act on a commit (github, gitlab): one status per Rollout
// ("argo-rollouts/<namespace>/<name>") on the commit the revision was built from (source-annotations.ts), in
// progress while the revision progresses, success on completion, a failure on an abort or a failed analysis. Each
// type names the states in its own API's words.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import { BUILTIN_REPO_URL_PATH, BUILTIN_REVISION_PATH } from "./source-annotations.ts";

/** A commit status API's names for the states a trigger can leave. */
export interface CommitStateNames {
  success: string;
  failure: string;
  /** An analysis error (a warning outcome). */
  error: string;
  inProgress: string;
}

/** The commit status state a trigger leaves (a template for a background analysis' completion). */
export function commitStatusState(p: TriggerPresentation, names: CommitStateNames): string {
  if (p.trigger === "on-rollout-completed") return names.success;
  if (p.trigger === "on-analysis-run-completed")
    // a background analysis ending after its revision completed keeps the status at success
    return (
      "{{#if (and rollout.status.stableRS (eq rollout.status.stableRS rollout.status.currentPodHash) " +
      "(eq revision (lookup rollout.metadata.annotations 'rollout.argoproj.io/revision')))}}" +
      `${names.success}{{else}}{{#if (eq analysisRun.status.phase 'Failed' 'Error')}}${names.failure}` +
      `{{else}}${names.inProgress}{{/if}}{{/if}}`
    );
  if (p.outcome === "failure") return names.failure;
  if (p.outcome === "warning") return names.error;
  return names.inProgress;
}

/** The built-in template of a commit status type: where the commit is, and the status of this trigger. */
export function builtinCommitStatus(p: TriggerPresentation, names: CommitStateNames) {
  return {
    repoURLPath: BUILTIN_REPO_URL_PATH,
    revisionPath: BUILTIN_REVISION_PATH,
    status: {
      state: commitStatusState(p, names),
      label: "argo-rollouts/{{rollout.metadata.namespace}}/{{rollout.metadata.name}}",
      targetURL: "",
    },
  };
}
