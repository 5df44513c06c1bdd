// Kubernetes Events on the Rollout for delivery outcomes, so `kubectl describe rollout` shows them:
// NotificationDelivered (Normal) and NotificationFailed (Warning), each naming trigger, service and recipient.
// Aggregated as client-go's event recorder does: a repeat of the same (object, type, reason, message) patches
// the existing Event (count + 1, lastTimestamp) instead of creating another (repeats while a write is queued
// are folded into it: one request for the lot); and its spam filter: per Rollout a
// token bucket of 25 Events refilled by one every 5 minutes, beyond which Events are dropped (counted).
// Best effort and bounded: a failed write is logged at debug and dropped (the delivery itself is recorded in
// logs, metrics and history).

import { randomBytes } from "node:crypto";
import type { CoreV1Event, KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../logger.ts";
import type { DeliveryEvent, DeliveryHooks } from "../queue/notification-queue.ts";
import type { ObjectRef } from "../triggers/transition.ts";
import { KubeApiError, kubeRequest } from "../watch/kube-http.ts";

export const REASON_DELIVERED = "NotificationDelivered";
export const REASON_FAILED = "NotificationFailed";
const COMPONENT = "rollouts-notifier";
/** Aggregation keys remembered (oldest forgotten first), as client-go's LRU cache of 4096. */
const MAX_KEYS = 4096;
/** Writes in flight at most; more are dropped (counted). */
const MAX_IN_FLIGHT = 32;
/** client-go's EventSourceObjectSpamFilter defaults: burst 25, one more every 300 s, per object. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

interface QueuedWrite {
  key: string;
  rollout: ObjectRef;
  type: string;
  reason: string;
  message: string;
  /** 1 + the repeats recorded while it was queued. */
  times: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

export interface RolloutEventsOptions {
  kc: KubeConfig;
  logger: Logger;
  /** reportingInstance: the pod name. */
  instance: string;
  now?: () => Date;
}

export class RolloutEventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Writes queued and not started, by aggregation key: a repeat meanwhile only adds to their count. */
  private readonly pending = new Map<string, QueuedWrite>();
  private inFlight = 0;
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;
  private readonly o: RolloutEventsOptions;

  constructor(o: RolloutEventsOptions) {
    this.o = o;
  }

  record(rollout: ObjectRef, type: "Normal" | "Warning", reason: string, message: string): void {
    const key = aggregationKey(rollout, type, reason, message);
    const queued = this.pending.get(key);
    if (queued) {
      queued.times++;
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT || !this.takeToken(rollout)) {
      this.dropped++;
      return;
    }
    const write: QueuedWrite = { key, rollout, type, reason, message, times: 1 };
    this.pending.set(key, write);
    this.inFlight++;
    // one at a time: repeats of one key must see the count the previous write left
    this.chain = this.chain.then(() => this.run(write));
  }

  /** One queued write; never rejects (a failure is logged at debug and dropped). */
  private async run(w: QueuedWrite): Promise<void> {
    this.pending.delete(w.key);
    try {
      await this.write(w);
    } catch (err) {
      this.o.logger.debug(
        { err: (err as Error)?.message ?? String(err), rollout: w.rollout, reason: w.reason },
        "could not record a Kubernetes Event",
      );
    } finally {
      this.inFlight--;
    }
  }

  private takeToken(rollout: ObjectRef): boolean {
    const key = rollout.uid || `${rollout.namespace}/${rollout.name}`;
    const now = this.o.now?.().getTime() ?? Date.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: SPAM_BURST, at: now };
      if (this.buckets.size >= MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(key, b);
    }
    const refill = Math.floor((now - b.at) / SPAM_REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(SPAM_BURST, b.tokens + refill);
      b.at += refill * SPAM_REFILL_MS;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  /** Resolves when the writes queued so far are done. */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(w: QueuedWrite): Promise<void> {
    const { key, rollout, times } = w;
    const now = (this.o.now?.() ?? new Date()).toISOString();
    const seen = this.seen.get(key);
    if (seen) {
      this.seen.delete(key);
      this.seen.set(key, seen);
      try {
        // raw REST over one kept-alive connection (kube-http.ts): an Event per delivery through the generated
        // client cost a new TLS connection and its serializer each time (profile of the pipeline benchmark)
        await kubeRequest(this.o.kc, "PATCH", eventPath(seen.namespace, seen.name), {
          body: { count: seen.count + times, lastTimestamp: now },
          contentType: "application/strategic-merge-patch+json",
          answer: "discard",
        });
        seen.count += times;
        return;
      } catch (err) {
        if (!(err instanceof KubeApiError) || err.statusCode !== 404) throw err;
        this.seen.delete(key); // deleted (expired): create a new one
      }
    }
    // as client-go: <object name>.<unique hex>; random bits keep two replicas' Events apart
    const name = `${rollout.name}.${Date.now().toString(16)}${randomHex8()}`;
    // timestamps as the ISO strings a Date serializes to (CoreV1Event types them as Date)
    const body: Omit<CoreV1Event, "firstTimestamp" | "lastTimestamp"> & {
      firstTimestamp: string;
      lastTimestamp: string;
    } = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: rollout.namespace },
      involvedObject: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        name: rollout.name,
        namespace: rollout.namespace,
        uid: rollout.uid,
      },
      type: w.type,
      reason: w.reason,
      message: w.message,
      count: times,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
      reportingInstance: this.o.instance,
    };
    await kubeRequest(this.o.kc, "POST", eventPath(rollout.namespace), { body, answer: "discard" });
    this.seen.set(key, { name, namespace: rollout.namespace, count: times });
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value as string);
  }
}

/**
 * The aggregation key of client-go's EventAggregator/EventLogger (object, type, reason, message): the fields
 * joined by NUL, which none but the last (message) can contain, so two different tuples never share a key.
 */
export function aggregationKey(rollout: ObjectRef, type: string, reason: string, message: string): string {
  return `${rollout.uid}\0${rollout.namespace}\0${rollout.name}\0${type}\0${reason}\0${message}`;
}

/** Random bytes for Event names, drawn from the CSPRNG a block at a time instead of a call per name. */
const RANDOM_BLOCK = 1024;
let randomPool = Buffer.alloc(0);
let randomAt = 0;

/** 8 random hex digits (4 random bytes), as `randomBytes(4).toString("hex")`. */
export function randomHex8(): string {
  if (randomAt + 4 > randomPool.length) {
    randomPool = randomBytes(RANDOM_BLOCK);
    randomAt = 0;
  }
  randomAt += 4;
  return randomPool.toString("hex", randomAt - 4, randomAt);
}

function eventPath(namespace: string, name?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

function what(e: DeliveryEvent): string {
  return `${e.trigger} to ${e.service}${e.recipient ? `:${e.recipient}` : ""}`;
}

/** Delivery hooks recording Events on the notification's Rollout (notifications without one get none). */
export function rolloutEventHooks(recorder: RolloutEventRecorder, next: DeliveryHooks = {}): DeliveryHooks {
  return {
    onDelivered(e) {
      // held by a silence at delivery: nothing was delivered
      if (e.rollout && e.receipt.silenced === undefined)
        recorder.record(e.rollout, "Normal", REASON_DELIVERED, `Notification ${what(e)} delivered`);
      next.onDelivered?.(e);
    },
    onFailed(e) {
      next.onFailed?.(e);
    },
    onRetried(e) {
      if (e.rollout)
        recorder.record(
          e.rollout,
          "Warning",
          REASON_FAILED,
          `Notification ${what(e)} failed, retrying: ${e.failure.code}`,
        );
      next.onRetried?.(e);
    },
    onDeadLettered(e) {
      if (e.rollout)
        recorder.record(
          e.rollout,
          "Warning",
          REASON_FAILED,
          `Notification ${what(e)} failed for good (dead letter): ${e.reason.code}`,
        );
      next.onDeadLettered?.(e);
    },
  };
}
