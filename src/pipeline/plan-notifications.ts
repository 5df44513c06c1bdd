// The middle of the pipeline, pure: one detected transition → the notification jobs to enqueue.
//   routing object (the Rollout; an AnalysisRun's owning Rollout) → subscriptions → destinations
//   trigger plan (built-in default template, or the ConfigMap's `trigger.<name>` with `when`/`oncePer`)
//   → templates rendered per destination's service → one job per (send, destination), deterministic id.
// Every problem (unknown service/trigger, broken template) is returned for the caller to report; it affects
// only its own destination or template, never the others.
import { ownEntry } from "../config/tables.ts";
import type { Destination, NotifierConfig, ServiceConfig } from "../config/types.ts";
import type { KubeObject } from "../kube/objects.ts";
import { buildNotificationJob, type NotificationJob } from "../queue/notification-job.ts";
import { resolveDestinations } from "../subscriptions/resolve-destinations.ts";
import { builtinCompiledTemplate } from "../templates/builtin/index.ts";
import { type CompiledTemplate, compiledTemplateSpec } from "../templates/compile.ts";
import { buildTemplateContext } from "../templates/context.ts";
import { renderNotification } from "../templates/render.ts";
import { currentRenderBudget, renderBudgetErrorOf, withRenderBudget } from "../templates/render-budget.ts";
import { planTrigger } from "../triggers/custom-trigger-plan.ts";
import type { Transition } from "../triggers/transition.ts";

/** What the pipeline can look up about the cluster (the watcher's caches, or replay's world). */
export interface PipelineWorld {
  getRollout(namespace: string, name: string): KubeObject | undefined;
  getNamespace(name: string): KubeObject | undefined;
  analysisRunsIn(namespace: string): KubeObject[];
  /** The same runs narrowed to one owner's, where the world indexes them (the watcher); else filtered here. */
  analysisRunsOwnedBy?(namespace: string, ownerUid: string): KubeObject[];
}

export interface PipelineProblem {
  kind: "subscription" | "trigger" | "template" | "service";
  /** The object the problem belongs to (uid), for once-per-object reporting. */
  uid: string;
  object: string;
  message: string;
  destination?: Destination;
}

export interface PlanNotificationsInput {
  transition: Transition;
  world: PipelineWorld;
  /** Effective config for the routing object's namespace. */
  config: NotifierConfig;
  annotationPrefix?: string;
  /** Cap on destinations per transition (resolveDestinations' default when absent). */
  maxDestinations?: number;
  now: Date;
  /** When the transition was detected (ms): delivery latency is measured from it. */
  detectedAt: number;
  /**
   * Rendering time the namespace has left (render-share.ts); absent: only the time budget bounds the renders.
   * At 0 or less nothing is rendered: each notification becomes a render failure naming the share.
   */
  renderShareMs?: number;
}

export interface PlannedNotifications {
  jobs: NotificationJob[];
  problems: PipelineProblem[];
  /** The object whose subscriptions routed the transition. */
  routedBy: KubeObject;
}

function compiled(config: NotifierConfig, name: string): CompiledTemplate | undefined {
  const spec = ownEntry(config.templates, name);
  return spec ? compiledTemplateSpec(spec) : builtinCompiledTemplate(name);
}

/** The object whose annotations route a transition: the Rollout, or an AnalysisRun's owner (else the run). */
export function routingObject(transition: Transition, world: PipelineWorld): KubeObject {
  const ref = transition.rollout ?? (transition.object.kind === "Rollout" ? transition.object : undefined);
  if (ref) {
    const live = world.getRollout(ref.namespace, ref.name);
    if (live) return live;
    if (transition.object.kind === "Rollout") return transition.snapshot;
  }
  return transition.snapshot;
}

export function planNotifications(input: PlanNotificationsInput): PlannedNotifications {
  const { transition: t, world, config } = input;
  const routedBy = routingObject(t, world);
  const ns = t.object.namespace;
  const objectName = `${t.object.kind}/${ns}/${t.object.name}`;
  const uid = routedBy.metadata.uid ?? t.object.uid;
  const problems: PipelineProblem[] = [];

  const routed = resolveDestinations({
    trigger: t.trigger,
    rollout: routedBy,
    namespace: world.getNamespace(ns),
    config,
    annotationPrefix: input.annotationPrefix,
    maxDestinations: input.maxDestinations,
  });
  for (const p of routed.problems) {
    problems.push({
      kind: "subscription",
      uid,
      object: `${routedBy.kind ?? "Rollout"}/${ns}/${routedBy.metadata.name}`,
      message: `${p.source}: ${p.message}`,
    });
  }
  if (routed.destinations.length === 0) return { jobs: [], problems, routedBy };

  const isRun = t.object.kind === "AnalysisRun";
  const rollout = isRun ? (routedBy.kind === "Rollout" ? routedBy : undefined) : t.snapshot;
  const revision = t.revision;
  const rolloutUid = rollout?.metadata.uid;
  const runs =
    rolloutUid === undefined
      ? []
      : (world.analysisRunsOwnedBy
          ? world.analysisRunsOwnedBy(ns, rolloutUid)
          : world.analysisRunsIn(ns)
        ).filter(
          (r) =>
            r.metadata.ownerReferences?.some((o) => o.uid === rolloutUid) &&
            (revision === undefined || r.metadata.annotations?.["rollout.argoproj.io/revision"] === revision),
        );

  const plan = planTrigger(t, config, { now: input.now, rollout, analysisRuns: runs });
  for (const p of plan.problems) {
    problems.push({
      kind: "trigger",
      uid,
      object: objectName,
      message: `trigger ${p.trigger}[${p.index}]: ${p.message}`,
    });
  }

  // every render of this transition shares one deadline (RENDER_TIMEOUT_MS): a runaway template cannot hold the
  // event loop longer than that, whatever the number of destinations
  const deadlineAt = Date.now() + currentRenderBudget().timeMs;
  const shareDeadlineAt = input.renderShareMs === undefined ? undefined : Date.now() + input.renderShareMs;
  const jobs: NotificationJob[] = [];
  for (const p of plan.plans) {
    if (p.notEvaluated !== undefined) {
      // its condition ran out of time: whether it sends is unknown, so each destination gets a dead letter with
      // the reason (recorded with the transition, never planned again), not silence
      for (const destination of routed.destinations) {
        const service: ServiceConfig | undefined = ownEntry(config.services, destination.service);
        if (!service) continue;
        const job = buildNotificationJob({
          transition: { ...t, id: p.key },
          destination,
          notification: {
            message: "",
            renderFailure: {
              code: "render_budget",
              message: `trigger ${t.trigger}[${p.condition ?? 0}] not evaluated: ${p.notEvaluated}`,
            },
          },
          detectedAt: input.detectedAt,
          tenantNamespace: service.tenantNamespace,
          labels: routedBy.metadata.labels,
        });
        job.transition.id = t.id;
        jobs.push(job);
      }
      continue;
    }
    const templates: CompiledTemplate[] = [];
    // ConfigMap templates see `rollout` as upstream passes it for the event (Transition.eventObject); our
    // built-in templates keep the Rollout as detected, whose state they describe.
    const fromConfig = p.send.some((name) => ownEntry(config.templates, name) !== undefined);
    for (const name of p.send) {
      try {
        const c = compiled(config, name);
        if (c) templates.push(c);
        else
          problems.push({
            kind: "template",
            uid,
            object: objectName,
            message: `template "${name}" is not defined`,
          });
      } catch (err) {
        problems.push({ kind: "template", uid, object: objectName, message: (err as Error).message });
      }
    }
    if (templates.length === 0) continue;
    for (const destination of routed.destinations) {
      const service: ServiceConfig | undefined = ownEntry(config.services, destination.service);
      if (!service) {
        problems.push({
          kind: "service",
          uid,
          object: objectName,
          destination,
          message: `service "${destination.service}" is not configured`,
        });
        continue;
      }
      try {
        const ctx = buildTemplateContext({
          transition: t,
          rollout: rollout ?? routedBy,
          analysisRun: isRun ? t.snapshot : undefined,
          analysisRuns: runs,
          recipient: destination.recipient,
          serviceType: service.type,
          context: config.context,
          now: input.now,
        });
        const upstreamView = fromConfig && t.eventObject ? { ...ctx, rollout: t.eventObject } : ctx;
        const notification = withRenderBudget({ deadlineAt, shareDeadlineAt }, () =>
          renderNotification(templates, upstreamView, service),
        );
        const job = buildNotificationJob({
          transition: { ...t, id: p.key },
          destination,
          notification,
          detectedAt: input.detectedAt,
          tenantNamespace: service.tenantNamespace,
          labels: routedBy.metadata.labels,
        });
        job.transition.id = t.id;
        jobs.push(job);
      } catch (err) {
        problems.push({
          kind: "template",
          uid,
          object: objectName,
          destination,
          message: (err as Error).message,
        });
        // out of budget: a job that the worker dead-letters with the reason (recorded with the transition, so
        // it is never rendered again after a restart)
        if (renderBudgetErrorOf(err)) {
          const job = buildNotificationJob({
            transition: { ...t, id: p.key },
            destination,
            notification: {
              message: "",
              renderFailure: { code: "render_budget", message: (err as Error).message },
            },
            detectedAt: input.detectedAt,
            tenantNamespace: service.tenantNamespace,
            labels: routedBy.metadata.labels,
          });
          job.transition.id = t.id;
          jobs.push(job);
        }
      }
    }
  }
  return { jobs, problems, routedBy };
}
