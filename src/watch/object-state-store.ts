// Per-object detection state in Redis, one hash field per uid: what the last handed-on snapshot looked like,
// so that after a restart (or on a new leader) changes made meanwhile are detected exactly once.
// The watcher keeps each object's state in memory as the JSON text of its `state` (loadAllStates), not as parsed
// records: ~2.5× smaller, and comparing two states is comparing two strings.
import { watchKeyPrefix, watchKeys } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { appendWait, ReplicaWait, replicasOf } from "../redis/replica-wait.ts";

export interface StoredObjectState<S = unknown> {
  kind: string;
  namespace: string;
  name: string;
  state: S;
}

export type ObjectStateRef = Omit<StoredObjectState, "state">;

/** The record's JSON text, `JSON.stringify({ kind, namespace, name, state })`, from the state's JSON text. */
export function encodeObjectState(ref: ObjectStateRef, stateJson: string): string {
  const k = JSON.stringify;
  return `{"kind":${k(ref.kind)},"namespace":${k(ref.namespace)},"name":${k(ref.name)},"state":${stateJson}}`;
}

export class ObjectStateStore {
  private readonly redis: RedisClient;
  private readonly stateKey: string;
  private readonly watermarkKey: string;

  constructor(redis: RedisClient, prefix = watchKeyPrefix(redis)) {
    this.redis = redis;
    this.stateKey = watchKeys.objectStates(prefix);
    this.watermarkKey = watchKeys.watermark(prefix);
  }

  /** The saved records by uid; a corrupt one is left out (the object becomes a baseline). */
  async loadAll(): Promise<Map<string, StoredObjectState>> {
    const out = new Map<string, StoredObjectState>();
    await this.scan((uid, record) => out.set(uid, record));
    return out;
  }

  /** The saved states by uid as JSON text (`JSON.stringify(record.state)`); corrupt records are left out. */
  async loadAllStates(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await this.scan((uid, record) => out.set(uid, JSON.stringify(record.state)));
    return out;
  }

  private async scan(each: (uid: string, record: StoredObjectState) => void): Promise<void> {
    let cursor = "0";
    do {
      const [next, fields] = await this.redis.hscan(this.stateKey, cursor, "COUNT", 2000);
      cursor = next;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        let record: StoredObjectState | undefined;
        try {
          record = JSON.parse(fields[i + 1]!) as StoredObjectState;
        } catch {
          // a corrupt record is treated as absent (the object becomes a baseline)
        }
        if (record !== null && typeof record === "object" && record.state !== undefined)
          each(fields[i]!, record);
      }
    } while (cursor !== "0");
  }

  /**
   * Saves a record whose state is given as its JSON text; through Sentinel, on a replica too before it returns
   * (WAIT in the same round trip: ReplicaWait; a round trip a fail-over cut fails, and the watcher saves again).
   */
  async save(uid: string, ref: ObjectStateRef, stateJson: string): Promise<void> {
    const w = this.saveWrite(uid, ref, stateJson);
    const wait = ReplicaWait.of(this.redis);
    if (!wait.enabled) {
      await this.redis.hset(w.key, w.field, w.value);
      return;
    }
    await wait.write(async (waitMs) => {
      const pipe = this.redis.pipeline().hset(w.key, w.field, w.value);
      appendWait(pipe, waitMs);
      const replies = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
      const [err] = replies[0] ?? [new Error("no reply")];
      if (err) throw err;
      return { result: undefined, replicas: replicasOf(waitMs, replies) };
    });
  }

  /** What save() writes, for a caller that writes it together with something else (see TransitionLog.record). */
  saveWrite(
    uid: string,
    ref: ObjectStateRef,
    stateJson: string,
  ): { key: string; field: string; value: string } {
    return { key: this.stateKey, field: uid, value: encodeObjectState(ref, stateJson) };
  }

  async remove(uids: string[]): Promise<void> {
    if (uids.length > 0) await this.redis.hdel(this.stateKey, ...uids);
  }

  /** Last time (ms) a leader was known to be watching; objects created after it were created while down. */
  async getWatermark(): Promise<number | undefined> {
    const v = await this.redis.get(this.watermarkKey);
    return v ? Number(v) : undefined;
  }

  async setWatermark(ms: number): Promise<void> {
    await this.redis.set(this.watermarkKey, String(ms));
  }
}
