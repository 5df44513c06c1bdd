// The record of every transition handed on: one Redis stream entry per transition id, ever (an id already
// recorded is skipped atomically). It is the audit trail of what the watcher emitted — exactly once per id
// across restarts and replicas — and what `run` logs as JSON.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Transition } from "../triggers/transition.ts";

// KEYS: one tx key per transition, the stream, then the object-state hash when ARGV[3] (its field) is not empty.
// ARGV: ttl, maxlen, state field, state value, then id, json per transition.
const RECORD = `
local ttl = tonumber(ARGV[1])
local maxlen = ARGV[2]
local n = #KEYS - 1
if ARGV[3] ~= '' then n = n - 1 end
local fresh = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ttl) then
    redis.call('XADD', KEYS[n + 1], 'MAXLEN', '~', maxlen, '*', 'id', ARGV[4 + i * 2 - 1], 'json', ARGV[4 + i * 2])
    fresh[#fresh + 1] = i
  end
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[n + 2], ARGV[3], ARGV[4]) end
return fresh
`;
const RECORD_SHA = createHash("sha1").update(RECORD).digest("hex");

/** A hash field written together with the record (the watcher's saved object state: one round trip, atomic). */
export interface HashFieldWrite {
  key: string;
  field: string;
  value: string;
}

export interface RecordedTransition {
  streamId: string;
  transition: Omit<Transition, "snapshot">;
}

export class TransitionLog {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly maxLen: number;

  constructor(redis: Redis, opts: { prefix?: string; ttlMs?: number; maxLen?: number } = {}) {
    this.redis = redis;
    this.prefix = opts.prefix ?? "rn";
    this.ttlMs = opts.ttlMs ?? 14 * 24 * 3600_000;
    this.maxLen = opts.maxLen ?? 100_000;
  }

  private get streamKey(): string {
    return `${this.prefix}:transitions`;
  }

  /**
   * Records the transitions not recorded before and returns those (in the given order). `alsoWrite` is set in
   * the same script (atomically with the record), also when every transition was recorded before.
   */
  async record(transitions: Transition[], alsoWrite?: HashFieldWrite): Promise<Transition[]> {
    if (transitions.length === 0 && !alsoWrite) return [];
    const keys = transitions.map((t) => `${this.prefix}:tx:${t.id}`);
    keys.push(this.streamKey);
    if (alsoWrite) keys.push(alsoWrite.key);
    const args: string[] = [
      String(this.ttlMs),
      String(this.maxLen),
      alsoWrite?.field ?? "",
      alsoWrite?.value ?? "",
    ];
    for (const t of transitions) {
      const { snapshot: _s, eventObject: _e, ...rest } = t;
      args.push(t.id, JSON.stringify(rest));
    }
    let fresh: number[];
    try {
      fresh = (await this.redis.evalsha(RECORD_SHA, keys.length, ...keys, ...args)) as number[];
    } catch (err) {
      if (!String((err as Error)?.message).includes("NOSCRIPT")) throw err;
      fresh = (await this.redis.eval(RECORD, keys.length, ...keys, ...args)) as number[];
    }
    return fresh.map((i) => transitions[i - 1]!);
  }

  /** The recorded transitions, oldest first. */
  async list(count = 10_000): Promise<RecordedTransition[]> {
    const entries = await this.redis.xrange(this.streamKey, "-", "+", "COUNT", count);
    return entries.map(([streamId, fields]) => {
      const json = fields[fields.indexOf("json") + 1] ?? "{}";
      return { streamId, transition: JSON.parse(json) as RecordedTransition["transition"] };
    });
  }
}
