// The watcher role: campaigns for the Lease; while leader, runs the TransitionWatcher and hands transitions on.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../logger.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { Metrics } from "../server/metrics.ts";
import { LeaderElector } from "../watch/leader-election.ts";
import {
  type KindDetector,
  TransitionWatcher,
  type TransitionWatcherOptions,
} from "../watch/transition-watcher.ts";

export interface WatcherRoleOptions {
  kc: KubeConfig;
  redis: RedisClient;
  logger: Logger;
  metrics: Metrics;
  identity: string;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  watchNamespaces?: string[];
  selector?: string;
  resyncMs?: number;
  detectors: { Rollout: KindDetector; AnalysisRun: KindDetector };
  handOff: TransitionWatcherOptions["handOff"];
}

export class WatcherRole {
  readonly watcher: TransitionWatcher;
  private readonly elector: LeaderElector;
  private started = false;
  private readonly o: WatcherRoleOptions;

  constructor(o: WatcherRoleOptions) {
    this.o = o;
    const reportedInvalid = new Set<string>();
    this.watcher = new TransitionWatcher({
      kc: o.kc,
      redis: o.redis,
      logger: o.logger,
      detectors: o.detectors,
      namespaces: o.watchNamespaces,
      labelSelector: o.selector,
      resyncMs: o.resyncMs,
      handOff: async (transitions, w, stateWrite) => {
        const res = await o.handOff(transitions, w, stateWrite);
        for (const t of transitions) o.metrics.transitions.inc({ trigger: t.trigger });
        return res;
      },
      onWatchRestart: (resource, reason) => o.metrics.watchRestarts.inc({ resource, reason }),
      onInvalidObject: (obj, problems) => {
        o.metrics.invalidObjects.inc({ kind: obj.kind ?? "unknown" });
        const key = `${obj.metadata.uid}@${obj.metadata.resourceVersion ?? ""}`;
        if (reportedInvalid.has(key)) return;
        if (reportedInvalid.size > 10_000) reportedInvalid.clear();
        reportedInvalid.add(key);
        o.logger.warn(
          { object: `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`, problems },
          "invalid object skipped for detection",
        );
      },
    });
    this.elector = new LeaderElector({
      kc: o.kc,
      name: o.leaseName,
      namespace: o.leaseNamespace,
      identity: o.identity,
      leaseDurationMs: o.leaseDurationMs,
      renewDeadlineMs: o.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs,
      logger: o.logger,
      onStartedLeading: () => {
        o.metrics.leader.set(1);
        void this.watcher.start().then(
          () => o.metrics.informersSynced.set(this.watcher.isSynced ? 1 : 0),
          (err: unknown) => o.logger.error({ err: String(err) }, "watcher failed to start"),
        );
      },
      onStoppedLeading: () => {
        o.metrics.leader.set(0);
        o.metrics.informersSynced.set(0);
        this.watcher.stop();
      },
    });
  }

  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  start(): void {
    this.started = true;
    this.o.metrics.leader.set(0);
    this.elector.start();
  }

  /**
   * Readiness: a leader must have synced informers; a standby is ready (it is waiting for the Lease); a started
   * role that has not looked at the Lease yet is neither (a pod ready in that moment let a rolling update go on
   * before the new leader had even started to list).
   */
  readiness(): string | undefined {
    if (this.started && !this.elector.hasLooked) return "leader election: the Lease not looked at yet";
    if (!this.elector.isLeader) return undefined;
    return this.watcher.isSynced ? undefined : "informers not synced";
  }

  async stop(): Promise<void> {
    this.watcher.stop();
    await this.elector.stop();
  }
}
