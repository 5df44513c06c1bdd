// Replay's use of the pipeline's pure planner: each transition → planNotifications (routing, trigger plan,
// rendering, jobs) with the replay world and the config as it is at that point of the history. Adds, per job,
// the template names it was rendered from (for --dry-run output), and formats problems for stderr.
import type { NotifierConfig } from "../config/types.ts";
import {
  type PipelineProblem,
  type PipelineWorld,
  planNotifications,
} from "../pipeline/plan-notifications.ts";
import { type NotificationJob, notificationJobId } from "../queue/notification-job.ts";
import { builtinCompiledTemplate } from "../templates/builtin/index.ts";
import { planTrigger } from "../triggers/custom-trigger-plan.ts";
import type { Transition } from "../triggers/transition.ts";

export interface PlannedReplayNotification {
  transition: Transition;
  job: NotificationJob;
  /** Template names, in the order they were rendered. */
  templates: string[];
}

export interface PlanReplayInput {
  transitions: Transition[];
  world: PipelineWorld;
  configFor: (namespace: string) => NotifierConfig;
  annotationPrefix?: string;
  now: Date;
  detectedAt: number;
}

export function planReplayNotifications(input: PlanReplayInput): {
  planned: PlannedReplayNotification[];
  problems: PipelineProblem[];
} {
  const planned: PlannedReplayNotification[] = [];
  const problems: PipelineProblem[] = [];
  for (const transition of input.transitions) {
    const config = input.configFor(transition.object.namespace);
    const result = planNotifications({
      transition,
      world: input.world,
      config,
      ...(input.annotationPrefix ? { annotationPrefix: input.annotationPrefix } : {}),
      now: input.now,
      detectedAt: input.detectedAt,
    });
    problems.push(...result.problems);
    if (result.jobs.length === 0) continue;
    // Which templates each job came from: the same trigger plan planNotifications used (pure, same inputs).
    const rollout = result.routedBy.kind === "Rollout" ? result.routedBy : undefined;
    const plans = planTrigger(transition, config, {
      now: input.now,
      ...(transition.object.kind === "AnalysisRun" && rollout ? { rollout } : {}),
    }).plans;
    for (const job of result.jobs) {
      const plan = plans.find((p) => notificationJobId(p.key, job.destination) === job.jobId);
      // as planNotifications does: a name that is neither configured nor built-in is skipped (and reported)
      const templates = (plan?.send ?? []).filter(
        (name) => config.templates[name] !== undefined || builtinCompiledTemplate(name) !== undefined,
      );
      planned.push({ transition, job, templates });
    }
  }
  return { planned, problems };
}

/** "Rollout/ns/name → slack:channel (template): message" — names the object (and key, in the message). */
export function formatPipelineProblem(p: PipelineProblem): string {
  const to = p.destination
    ? ` → ${p.destination.service}${p.destination.recipient ? `:${p.destination.recipient}` : ""}`
    : "";
  return `${p.object}${to} (${p.kind}): ${p.message}`;
}
