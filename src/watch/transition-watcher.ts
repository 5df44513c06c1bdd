// The Kubernetes edge of the pipeline: informers for Rollouts, AnalysisRuns, Experiments and Namespaces feed
// per-object detection; transitions are handed on, then the object's state is saved in Redis.
//
// Exactly-once hand-off: for each event, in order per Rollout family (the Rollout and its AnalysisRuns):
//   1. detect(saved state, object) → transitions + next state (pure; ids are semantic, see src/triggers);
//   2. hand the transitions on (the queue enqueues them under deterministic job ids: a second enqueue of the
//      same id is a no-op, also long after delivery);
//   3. only then save the next state.
// A crash after 2 and before 3 re-detects the same transitions (same ids) from the old state on restart, and
// the enqueue is a no-op; a crash before 2 loses nothing because the state was not advanced. A new leader
// loads the saved states from Redis, so what the old leader handed on is not emitted again.
// Objects with no saved state found on the first list are a baseline (no storm on install) unless they were
// created after the last time a leader was watching (the watermark), i.e. while the service was down.

import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../kube/objects.ts";
import { validateObject } from "../kube/validate-object.ts";
import type { Logger } from "../logger.ts";
import { watchKeyPrefix } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { Transition } from "../triggers/transition.ts";
import { KeyedSerialQueue } from "./keyed-queue.ts";
import { type ObjectStateRef, ObjectStateStore } from "./object-state-store.ts";
import { Reflector, type ReflectorEvent } from "./reflector.ts";
import { ANALYSIS_RUNS, EXPERIMENTS, NAMESPACES, type ResourceDescriptor, ROLLOUTS } from "./resources.ts";
import { StringInterner } from "./string-interner.ts";

/** Detection for one kind: the pure functions of src/triggers behind one shape. */
export interface KindDetector {
  detect(
    previous: unknown | undefined,
    current: KubeObject,
    opts: {
      baseline: boolean;
      lookupExperiment: (namespace: string, name: string) => KubeObject | undefined;
      lookupRollout: (namespace: string, name: string) => KubeObject | undefined;
      analysisRunsIn?: (namespace: string) => KubeObject[];
    },
  ): { transitions: Transition[]; state: unknown };
}

export interface TransitionWatcherOptions {
  kc: KubeConfig;
  redis: RedisClient;
  logger: Logger;
  detectors: { Rollout: KindDetector; AnalysisRun: KindDetector };
  /**
   * Hands transitions on (route, render, enqueue). Must be idempotent per transition id; throws to retry.
   * `stateWrite` is the object's next saved state: a hand-off may write it with its own last write, strictly
   * after the enqueue (one round trip less), and then returns `{ stateWritten: true }`; otherwise the watcher
   * writes it after the hand-off.
   */
  handOff: (
    transitions: Transition[],
    watcher: TransitionWatcher,
    stateWrite?: StateWrite,
  ) => Promise<HandOffResult | unknown>;
  namespaces?: string[];
  labelSelector?: string;
  keyPrefix?: string;
  concurrency?: number;
  resyncMs?: number;
  /** Objects created up to this long before the watermark with no saved state count as new, not baseline. */
  watermarkMarginMs?: number;
  onWatchRestart?: (resource: string, reason: string) => void;
  /** A Rollout/AnalysisRun whose fields failed validation (validate-object.ts): skipped for detection. */
  onInvalidObject?: (obj: KubeObject, problems: string[]) => void;
  /** Called after an event of a Rollout/AnalysisRun has been fully handled (tests wait on it). */
  onHandled?: (obj: KubeObject) => void;
}

export type StateWrite = ReturnType<ObjectStateStore["saveWrite"]>;
export interface HandOffResult {
  stateWritten: boolean;
}

const WATERMARK_EVERY_MS = 10_000;
/** Events of a list emitted before the watcher's backlog must fall back to this many (Reflector drain). */
const LIST_BATCH = 1_000;

export class TransitionWatcher {
  private readonly o: TransitionWatcherOptions;
  private readonly store: ObjectStateStore;
  private readonly queue: KeyedSerialQueue;
  private readonly reflectors = new Map<string, Reflector[]>();
  /**
   * The saved state of each object by uid, as JSON text (what Redis holds; parsed when an event is handled).
   * Short texts — an AnalysisRun's is its phase — are shared: thousands of finished runs hold one string.
   */
  private states = new Map<string, string>();
  private readonly stateTexts = new StringInterner({ maxEntries: 10_000, maxLength: 128 });
  private watermark: number | undefined;
  private watermarkTimer: NodeJS.Timeout | undefined;
  private running = false;
  private epoch = 0;
  private syncedFlag = false;

  constructor(opts: TransitionWatcherOptions) {
    this.o = opts;
    this.store = new ObjectStateStore(opts.redis, opts.keyPrefix ?? watchKeyPrefix(opts.redis));
    this.queue = new KeyedSerialQueue(opts.concurrency ?? 16);
  }

  get isSynced(): boolean {
    return this.syncedFlag;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Loads saved state and starts the informers; resolves when every informer has listed once. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.syncedFlag = false;
    const epoch = ++this.epoch;
    this.states = await this.store.loadAllStates();
    for (const [uid, text] of this.states) this.states.set(uid, this.stateTexts.intern(text));
    this.watermark = await this.store.getWatermark();
    if (epoch !== this.epoch) return;

    // Owners first, so AnalysisRuns resolve their Rollout on the first list.
    this.startKind(NAMESPACES, false);
    this.startKind(EXPERIMENTS, false);
    this.startKind(ROLLOUTS, true);
    await this.syncedOf(NAMESPACES, EXPERIMENTS, ROLLOUTS);
    if (epoch !== this.epoch) return;
    this.startKind(ANALYSIS_RUNS, false);
    await this.syncedOf(ANALYSIS_RUNS);
    if (epoch !== this.epoch) return;
    await this.queue.onIdle();
    if (epoch !== this.epoch) return;
    await this.forgetVanished();
    await this.store.setWatermark(Date.now());
    this.watermarkTimer = setInterval(() => {
      void this.store.setWatermark(Date.now()).catch(() => {});
    }, WATERMARK_EVERY_MS);
    this.watermarkTimer.unref();
    this.syncedFlag = true;
    this.o.logger.info({ objects: this.states.size }, "informers synced");
  }

  /** Stops at once: informers closed, pending events dropped (a leader that lost its Lease stops emitting). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.syncedFlag = false;
    this.epoch++;
    if (this.watermarkTimer) clearInterval(this.watermarkTimer);
    for (const list of this.reflectors.values()) for (const r of list) r.stop();
    this.reflectors.clear();
    this.queue.clear();
  }

  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Test/ops hook: drop every open watch (each resumes from its last resourceVersion). */
  dropWatches(): void {
    for (const list of this.reflectors.values()) for (const r of list) r.dropWatch();
  }

  // --- the world as cached, for routing and templates -------------------------------------------------

  getRollout(namespace: string, name: string): KubeObject | undefined {
    return this.lookup(ROLLOUTS, namespace, name);
  }

  getNamespace(name: string): KubeObject | undefined {
    return this.lookup(NAMESPACES, undefined, name);
  }

  getExperiment(namespace: string, name: string): KubeObject | undefined {
    return this.lookup(EXPERIMENTS, namespace, name);
  }

  /** The AnalysisRuns of a namespace whose owner references name `ownerUid` (from the owner index, no scan). */
  analysisRunsOwnedBy(namespace: string, ownerUid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const r of this.reflectors.get(ANALYSIS_RUNS.plural) ?? []) {
      for (const obj of r.listOwnedBy(namespace, ownerUid)) out.push(obj);
    }
    return out;
  }

  /** AnalysisRuns in a namespace (callers filter by owner and revision). */
  analysisRunsIn(namespace: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const r of this.reflectors.get(ANALYSIS_RUNS.plural) ?? []) {
      for (const obj of r.listIn(namespace)) out.push(obj);
    }
    return out;
  }

  private lookup(
    res: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    for (const r of this.reflectors.get(res.plural) ?? []) {
      const obj = r.get(namespace, name);
      if (obj) return obj;
    }
    return undefined;
  }

  // --- informers -----------------------------------------------------------------------------------------

  private startKind(res: ResourceDescriptor, selectable: boolean): void {
    const scopes: (string | undefined)[] =
      res.namespaced && this.o.namespaces && this.o.namespaces.length > 0 ? this.o.namespaces : [undefined];
    const list = scopes.map(
      (namespace) =>
        new Reflector({
          kc: this.o.kc,
          resource: res,
          namespace,
          labelSelector: selectable ? this.o.labelSelector : undefined,
          logger: this.o.logger,
          resyncMs: this.o.resyncMs,
          indexOwners: res.plural === ANALYSIS_RUNS.plural,
          onEvent: (event) => this.onEvent(res, event),
          // a list is handed on in bounded batches: at most ~2 batches of events queued at a time
          drain: () => this.queue.whenAtMost(LIST_BATCH),
          listBatch: LIST_BATCH,
          onRestart: (reason) => this.o.onWatchRestart?.(res.plural, reason),
        }),
    );
    this.reflectors.set(res.plural, list);
    for (const r of list) r.start();
  }

  private async syncedOf(...resources: ResourceDescriptor[]): Promise<void> {
    await Promise.all(
      resources.flatMap((res) => (this.reflectors.get(res.plural) ?? []).map((r) => r.synced)),
    );
  }

  private onEvent(res: ResourceDescriptor, event: ReflectorEvent): void {
    if (res !== ROLLOUTS && res !== ANALYSIS_RUNS) return; // owners and namespaces are only cached
    const kind = res.kind as "Rollout" | "AnalysisRun";
    const obj = event.object;
    const epoch = this.epoch;
    this.queue.push(this.familyKey(obj), () => this.handle(kind, event, epoch));
  }

  /** Events of a Rollout and of its AnalysisRuns are handled in one ordered lane. */
  private familyKey(obj: KubeObject): string {
    const owner = obj.metadata.ownerReferences?.find((o) => o.kind === "Rollout" || o.kind === "Experiment");
    if (owner?.kind === "Rollout") return owner.uid;
    if (owner?.kind === "Experiment" && obj.metadata.namespace) {
      const exp = this.getExperiment(obj.metadata.namespace, owner.name);
      const ro = exp?.metadata.ownerReferences?.find((o) => o.kind === "Rollout");
      if (ro) return ro.uid;
    }
    return obj.metadata.uid ?? `${obj.metadata.namespace}/${obj.metadata.name}`;
  }

  private async handle(kind: "Rollout" | "AnalysisRun", event: ReflectorEvent, epoch: number): Promise<void> {
    const obj = event.object;
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (event.type === "DELETED") {
      await this.retrying(epoch, () => this.store.remove([uid]));
      this.states.delete(uid);
      return;
    }
    // fields of the wrong type or range: reported and skipped, never detected (the saved state stays as it was)
    const invalid = validateObject(obj);
    if (invalid.length > 0) {
      this.o.onInvalidObject?.(obj, invalid);
      return;
    }
    const saved = this.states.get(uid);
    const baseline = saved === undefined && event.initial && !this.createdWhileDown(obj);
    const detected = this.o.detectors[kind].detect(saved === undefined ? undefined : JSON.parse(saved), obj, {
      baseline,
      lookupExperiment: (ns, name) => this.getExperiment(ns, name),
      lookupRollout: (ns, name) => this.getRollout(ns, name),
      analysisRunsIn: (ns) => this.analysisRunsIn(ns),
    });
    const { state } = detected;
    // With a label selector, AnalysisRuns count only when their Rollout is one of the selected ones.
    const transitions = this.o.labelSelector
      ? detected.transitions.filter((t) => !t.rollout || this.getRollout(t.rollout.namespace, t.rollout.name))
      : detected.transitions;
    const ref: ObjectStateRef = { kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name };
    const stateJson = JSON.stringify(state);
    const changed = saved !== stateJson;
    let written = false;
    if (transitions.length > 0) {
      const stateWrite = changed ? this.store.saveWrite(uid, ref, stateJson) : undefined;
      await this.retrying(epoch, async () => {
        const res = await this.o.handOff(transitions, this, stateWrite);
        written = (res as HandOffResult | undefined)?.stateWritten === true;
      });
    }
    if (changed) {
      if (!written) await this.retrying(epoch, () => this.store.save(uid, ref, stateJson));
      if (epoch === this.epoch) this.states.set(uid, this.stateTexts.intern(stateJson));
    }
    this.o.onHandled?.(obj);
  }

  private createdWhileDown(obj: KubeObject): boolean {
    if (this.watermark === undefined || !obj.metadata.creationTimestamp) return false;
    const created = Date.parse(obj.metadata.creationTimestamp);
    return created >= this.watermark - (this.o.watermarkMarginMs ?? 5 * 60_000);
  }

  /** Runs an operation until it succeeds or this watcher generation is stopped; never skips an event. */
  private async retrying(epoch: number, op: () => Promise<void>): Promise<void> {
    let delay = 100;
    for (;;) {
      if (epoch !== this.epoch) throw new Error("watcher stopped");
      try {
        await op();
        return;
      } catch (err) {
        if (epoch !== this.epoch) throw err;
        this.o.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          "hand-off failed; retrying",
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /** Saved states of objects that no longer exist (deleted while down, or out of the watch now) are removed. */
  private async forgetVanished(): Promise<void> {
    const live = new Set<string>();
    for (const res of [ROLLOUTS, ANALYSIS_RUNS]) {
      for (const r of this.reflectors.get(res.plural) ?? []) {
        for (const obj of r.list()) if (obj.metadata.uid) live.add(obj.metadata.uid);
      }
    }
    const gone = [...this.states.keys()].filter((uid) => !live.has(uid));
    if (gone.length > 0) {
      await this.store.remove(gone);
      for (const uid of gone) this.states.delete(uid);
      this.o.logger.info({ count: gone.length }, "forgot state of objects that no longer exist");
    }
  }
}
