// Per-object detection state in Redis, one hash field per uid: what the last handed-on snapshot looked like,
// so that after a restart (or on a new leader) changes made meanwhile are detected exactly once.
import { watchKeyPrefix, watchKeys } from "../redis/keys.ts";
import type { RedisClient } from "../redis/redis-connection.ts";

export interface StoredObjectState<S = unknown> {
  kind: string;
  namespace: string;
  name: string;
  state: S;
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

  async loadAll(): Promise<Map<string, StoredObjectState>> {
    const out = new Map<string, StoredObjectState>();
    let cursor = "0";
    do {
      const [next, fields] = await this.redis.hscan(this.stateKey, cursor, "COUNT", 2000);
      cursor = next;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        try {
          out.set(fields[i]!, JSON.parse(fields[i + 1]!) as StoredObjectState);
        } catch {
          // a corrupt record is treated as absent (the object becomes a baseline)
        }
      }
    } while (cursor !== "0");
    return out;
  }

  async save(uid: string, record: StoredObjectState): Promise<void> {
    const w = this.saveWrite(uid, record);
    await this.redis.hset(w.key, w.field, w.value);
  }

  /** What save() writes, for a caller that writes it together with something else (see TransitionLog.record). */
  saveWrite(uid: string, record: StoredObjectState): { key: string; field: string; value: string } {
    return { key: this.stateKey, field: uid, value: JSON.stringify(record) };
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
