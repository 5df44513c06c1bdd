// The watcher's detectors: built-in detection plus the ConfigMap's custom triggers of the object's namespace
// (detectObjectTransitions), behind the watcher's KindDetector shape. Condition problems are reported once per
// object through the caller's reporter.
import type { NotifierConfig } from "../config/types.ts";
import type { SubscriptionProblem } from "../subscriptions/annotation-subscriptions.ts";
import { asNamespaceWork, type NamespaceRenderShare } from "../templates/render-share.ts";
import { detectObjectTransitions, type ObjectDetectionState } from "../triggers/object-transitions.ts";
import type { KindDetector } from "../watch/transition-watcher.ts";

export function configuredDetectors(opts: {
  configFor: (namespace: string) => NotifierConfig;
  reportProblems: (uid: string, problems: SubscriptionProblem[]) => void;
  now?: () => Date;
  /** Charges the detection (its conditions) of a namespace with its own config to that namespace's share. */
  renderShare?: NamespaceRenderShare;
}): { Rollout: KindDetector; AnalysisRun: KindDetector } {
  const detector: KindDetector = {
    detect(previous, current, o) {
      const prev = previous as ObjectDetectionState | undefined;
      const namespace = current.metadata.namespace ?? "";
      // every condition of this event together: within the render time budget, and the namespace's share
      const r = asNamespaceWork(opts.renderShare, namespace, () =>
        detectObjectTransitions({
          previous: prev && typeof prev === "object" && "builtin" in prev ? prev : undefined,
          object: current,
          config: opts.configFor(namespace),
          // an unreadable saved state (another version) is a baseline: nothing is re-sent
          baseline:
            o.baseline ||
            (previous !== undefined && !(typeof prev === "object" && prev && "builtin" in prev)),
          lookupExperiment: o.lookupExperiment,
          lookupRollout: o.lookupRollout,
          ...(o.analysisRunsIn ? { analysisRunsIn: o.analysisRunsIn } : {}),
          now: opts.now?.() ?? new Date(),
        }),
      );
      if (r.problems.length > 0 && current.metadata.uid) {
        opts.reportProblems(
          current.metadata.uid,
          r.problems.map((p) => ({
            source: `ConfigMap trigger.${p.trigger}[${p.index}]`,
            message: p.message,
          })),
        );
      }
      return { transitions: r.transitions, state: r.state };
    },
  };
  return { Rollout: detector, AnalysisRun: detector };
}
