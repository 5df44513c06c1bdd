// The record of every transition handed on: one Redis stream entry per transition id, ever (an id already
// recorded is skipped atomically). It is the audit trail of what the watcher emitted — exactly once per id
// across restarts and replicas — and what `run` logs as JSON.
import type { Redis } from "ioredis";
import type { Transition } from "../triggers/transition.ts";

const RECORD = `
local ttl = tonumber(ARGV[1])
local maxlen = ARGV[2]
local fresh = {}
for i = 1, #KEYS - 1 do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ttl) then
    redis.call('XADD', KEYS[#KEYS], 'MAXLEN', '~', maxlen, '*', 'id', ARGV[2 + i * 2 - 1], 'json', ARGV[2 + i * 2])
    fresh[#fresh + 1] = i
  end
end
return fresh
`;

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

  /** Records the transitions not recorded before and returns those (in the given order). */
  async record(transitions: Transition[]): Promise<Transition[]> {
    if (transitions.length === 0) return [];
    const keys = transitions.map((t) => `${this.prefix}:tx:${t.id}`);
    keys.push(this.streamKey);
    const args: string[] = [String(this.ttlMs), String(this.maxLen)];
    for (const t of transitions) {
      const { snapshot: _s, ...rest } = t;
      args.push(t.id, JSON.stringify(rest));
    }
    const fresh = (await this.redis.eval(RECORD, keys.length, ...keys, ...args)) as number[];
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
