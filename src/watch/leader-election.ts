// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package:
// - every retryPeriod a candidate tries to acquire or renew the Lease with an optimistic update
//   (resourceVersion; a 409 means someone else wrote it first);
// - a Lease is free when its holder is empty or when it has not changed for leaseDuration as observed on
//   this process's own clock (observedTime, so clock skew between nodes does not matter);
// - the leader steps down at once when it sees another holder or a conflicting write, and when it could not
//   renew for renewDeadline; it releases the Lease on a graceful stop so a standby takes over immediately.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../logger.ts";
import { KubeApiError, kubeRequest } from "./kube-http.ts";
import { collectionPath, LEASES, objectPath } from "./resources.ts";

export interface LeaderElectionOptions {
  kc: KubeConfig;
  name: string;
  namespace: string;
  identity: string;
  leaseDurationMs?: number; // 15 s
  renewDeadlineMs?: number; // 10 s
  retryPeriodMs?: number; // 2 s
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  private readonly o: Required<
    Omit<LeaderElectionOptions, "onStartedLeading" | "onStoppedLeading" | "logger" | "kc">
  > &
    LeaderElectionOptions;
  private leading = false;
  private looked = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private observedRecord = "";
  private observedAt = 0;
  private lastRenewAt = 0;
  /** The attempt under way (GET, then PUT of the Lease). */
  private attempt: Promise<void> | undefined;
  /** The last attempt wrote the Lease as ours (also after stop() was called while it ran). */
  private holds = false;

  constructor(opts: LeaderElectionOptions) {
    this.o = {
      ...opts,
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
    };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Whether it has looked at the Lease once since start (until then it knows neither that it leads nor that
   * another does). */
  get hasLooked(): boolean {
    return this.looked;
  }

  start(): void {
    this.runTick();
  }

  /**
   * Stops campaigning; a leader releases the Lease so a standby can take over at once. An attempt under way is
   * waited for first: a renewal landing after the release would keep the Lease for another leaseDuration (and
   * the release, written on the older version, would conflict); a stopped elector never becomes leader again.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) this.setLeading(false);
    await this.attempt;
    if (this.holds) {
      this.holds = false;
      await this.release().catch((err) =>
        this.o.logger.warn({ err: String(err) }, "could not release lease"),
      );
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.runTick(), this.o.retryPeriodMs);
    this.timer.unref();
  }

  private runTick(): void {
    const attempt = this.tick().finally(() => {
      if (this.attempt === attempt) this.attempt = undefined;
    });
    this.attempt = attempt;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await this.tryAcquireOrRenew();
      this.holds = ok;
      if (this.stopped) return;
      if (ok) {
        this.lastRenewAt = Date.now();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading) {
        this.setLeading(false);
      }
    } catch (err) {
      if (this.stopped) return;
      this.o.logger.warn({ lease: this.o.name, err: String(err) }, "lease update failed");
      if (this.leading && Date.now() - this.lastRenewAt > this.o.renewDeadlineMs) {
        this.o.logger.warn(
          { lease: this.o.name },
          "could not renew lease within the renew deadline; stepping down",
        );
        this.setLeading(false);
      }
    }
    this.looked = true;
    this.schedule();
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.o.logger.info(
      { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity, leading },
      leading ? "became leader" : "lost leadership",
    );
    if (leading) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private get path(): string {
    return objectPath(LEASES, this.o.name, this.o.namespace);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let lease: Lease | undefined;
    try {
      lease = await kubeRequest<Lease>(this.o.kc, "GET", this.path, { timeoutMs: this.o.retryPeriodMs * 2 });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.statusCode === 404)) throw err;
    }
    const spec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      try {
        await kubeRequest(this.o.kc, "POST", collectionPath(LEASES, this.o.namespace), {
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.o.name, namespace: this.o.namespace },
            spec,
          },
        });
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode === 409) return false;
        throw err;
      }
    }

    const current = lease.spec ?? {};
    const record = JSON.stringify([current.holderIdentity, current.renewTime, current.leaseTransitions]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = Date.now();
    }
    const heldByMe = current.holderIdentity === this.o.identity;
    const durationMs = (current.leaseDurationSeconds ?? this.o.leaseDurationMs / 1000) * 1000;
    const expired = this.observedAt + durationMs < Date.now();
    if (!heldByMe && current.holderIdentity && !expired) return false;

    const next = {
      ...spec,
      acquireTime: heldByMe && current.acquireTime ? current.acquireTime : spec.acquireTime,
      leaseTransitions: (current.leaseTransitions ?? 0) + (heldByMe ? 0 : 1),
    };
    try {
      const updated = await kubeRequest<Lease>(this.o.kc, "PUT", this.path, {
        body: { ...lease, spec: next },
        timeoutMs: this.o.retryPeriodMs * 2,
      });
      this.observedRecord = JSON.stringify([
        next.holderIdentity,
        updated.spec?.renewTime ?? next.renewTime,
        next.leaseTransitions,
      ]);
      this.observedAt = Date.now();
      return true;
    } catch (err) {
      // Someone else wrote the Lease first: not ours (a leader steps down at once).
      if (err instanceof KubeApiError && err.statusCode === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const lease = await kubeRequest<Lease>(this.o.kc, "GET", this.path);
    if (lease.spec?.holderIdentity !== this.o.identity) return;
    await kubeRequest(this.o.kc, "PUT", this.path, {
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      },
    });
  }
}
