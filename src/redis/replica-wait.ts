// Writes that must survive a primary's crash where a fail-over promotes a replica (Sentinel): each is sent with
// `WAIT 1 <ms>` in the same round trip, and is known to be on a replica once WAIT answers 1 (docs/redis.md). A
// primary that dies after answering the writes but before the WAIT fails the whole round trip (ioredis aborts a
// pipeline it got part of the answers to): the caller sends it again, to the promoted replica; every write sent
// this way is idempotent. A WAIT that answers 0 (no replica within the bound) lets the writes go on, as on one
// server. Once none has confirmed for REPLICA_DOWN_AFTER_MS (a replica down, not a fail-over under way), only one
// write a second carries a WAIT (a WAIT holds the connection up to its bound), until a replica confirms again.
import type { ChainableCommander } from "ioredis";
import { hasFailoverReplica, type RedisClient } from "./redis-connection.ts";

/** Bound of one WAIT: the watcher and the queue hold an object's events meanwhile. */
export const REPLICA_WAIT_MS = 100;
/** No replica confirming for this long: the replica is down; WAITs become probes. */
export const REPLICA_DOWN_AFTER_MS = 10_000;
const PROBE_EVERY_MS = 1_000;

export class ReplicaWait {
  /** Whether writes are waited for at all (false: one server, Cluster). */
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly #now: () => number;
  #unconfirmedSince: number | undefined;
  #lastProbe = Number.NEGATIVE_INFINITY;

  constructor(enabled: boolean, opts: { timeoutMs?: number; now?: () => number } = {}) {
    this.enabled = enabled;
    this.timeoutMs = opts.timeoutMs ?? REPLICA_WAIT_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** The one instance of a client (its WAITs share what they learned about the replica). */
  static of(client: RedisClient): ReplicaWait {
    let w = shared.get(client);
    if (!w) {
      w = new ReplicaWait(hasFailoverReplica(client));
      shared.set(client, w);
    }
    return w;
  }

  /** Sets the bound of a client's WAITs (default REPLICA_WAIT_MS), before its first write. */
  static configure(client: RedisClient, opts: { timeoutMs: number }): ReplicaWait {
    const w = new ReplicaWait(hasFailoverReplica(client), opts);
    shared.set(client, w);
    return w;
  }

  /** Whether the last WAIT answered was confirmed by a replica (true before the first). */
  get confirming(): boolean {
    return this.#unconfirmedSince === undefined;
  }

  /**
   * Runs `send(waitMs)`: the writes, followed in the same round trip by `WAIT 1 waitMs` when waitMs is given
   * (appendWait), returning its result and the WAIT's reply (replicasOf).
   */
  async write<T>(send: (waitMs: number | undefined) => Promise<{ result: T; replicas: number | undefined }>) {
    if (!this.enabled) return (await send(undefined)).result;
    const now = this.#now();
    if (this.#unconfirmedSince !== undefined && now - this.#unconfirmedSince >= REPLICA_DOWN_AFTER_MS) {
      if (now - this.#lastProbe < PROBE_EVERY_MS) return (await send(undefined)).result;
      this.#lastProbe = now;
    }
    const { result, replicas } = await send(this.timeoutMs);
    this.#learn(replicas);
    return result;
  }

  /**
   * For a caller that must know whether a replica has its writes before it goes on (the chat sinks' journal entry
   * written right before a post, src/sinks/common/thread-state.ts): runs `send(waitMs)` (the writes followed by
   * `WAIT 1 waitMs`, appendWait; it returns the WAIT's reply, replicasOf) with its own bound, also while no
   * replica confirms (no probing). Returns whether a replica has the writes, and for how long this client's writes
   * have gone unconfirmed (this one included; 0 when confirmed). Without a fail-over replica: replicated.
   */
  async confirm(
    send: (waitMs: number | undefined) => Promise<number | undefined>,
    waitMs: number,
  ): Promise<{ replicated: boolean; unconfirmedForMs: number }> {
    if (!this.enabled) {
      await send(undefined);
      return { replicated: true, unconfirmedForMs: 0 };
    }
    const replicas = await send(waitMs);
    this.#learn(replicas);
    const since = this.#unconfirmedSince;
    return since === undefined
      ? { replicated: true, unconfirmedForMs: 0 }
      : { replicated: false, unconfirmedForMs: this.#now() - since };
  }

  /** What a WAIT's reply says about the replica (undefined: no WAIT was sent). */
  #learn(replicas: number | undefined): void {
    if (replicas !== undefined && replicas >= 1) this.#unconfirmedSince = undefined;
    else this.#unconfirmedSince ??= this.#now();
  }
}

const shared = new WeakMap<RedisClient, ReplicaWait>();

/** Appends `WAIT 1 waitMs` to a pipeline whose writes it covers (nothing when waitMs is undefined). */
export function appendWait(pipeline: ChainableCommander, waitMs: number | undefined): void {
  if (waitMs !== undefined) pipeline.call("WAIT", "1", String(waitMs));
}

/** The WAIT's reply, last in a pipeline's replies (undefined when none was appended). */
export function replicasOf(
  waitMs: number | undefined,
  replies: [Error | null, unknown][],
): number | undefined {
  if (waitMs === undefined) return undefined;
  const [err, value] = replies[replies.length - 1] ?? [new Error("no reply"), undefined];
  if (err) throw err;
  return Number(value);
}
