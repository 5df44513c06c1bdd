// The record of every transition handed on: one Redis stream entry per transition id, ever (an id already
// recorded is skipped atomically). It is the audit trail of what the watcher emitted — exactly once per id
// across restarts and replicas — and what `run` logs as JSON.
import type { ScriptCall } from "../queue/notification-queue.ts";
import { watchKeyPrefix, watchKeys } from "../redis/keys.ts";
import { LuaScript } from "../redis/lua-script.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { ReplicaWait } from "../redis/replica-wait.ts";
import type { Transition } from "../triggers/transition.ts";

/** Records transitions once per id (+ an optional hash field write): see the script for KEYS/ARGV. */
const RECORD = LuaScript.load(new URL("./lua/record-transitions.lua", import.meta.url));

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
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly maxLen: number;

  constructor(redis: RedisClient, opts: { prefix?: string; ttlMs?: number; maxLen?: number } = {}) {
    this.redis = redis;
    this.prefix = opts.prefix ?? watchKeyPrefix(redis);
    this.ttlMs = opts.ttlMs ?? 14 * 24 * 3600_000;
    this.maxLen = opts.maxLen ?? 100_000;
  }

  private get streamKey(): string {
    return watchKeys.transitions(this.prefix);
  }

  /**
   * Records the transitions not recorded before and returns those (in the given order). `alsoWrite` is set in
   * the same script (atomically with the record), also when every transition was recorded before.
   */
  async record(transitions: Transition[], alsoWrite?: HashFieldWrite): Promise<Transition[]> {
    const call = this.recordCall(transitions, alsoWrite);
    if (!call) return [];
    // through Sentinel the state write must outlive a primary's crash like the enqueue before it (WAIT; a record
    // sent again is a no-op)
    const wait = ReplicaWait.of(this.redis);
    const reply = wait.enabled
      ? (await RECORD.runMany(this.redis, [{ keys: call.keys, args: call.args }], wait))[0]
      : await RECORD.run(this.redis, call.keys, call.args);
    return this.freshOf(transitions, reply);
  }

  /**
   * The script call record() makes, for a caller that sends it in a round trip of its own (after a queue's
   * enqueue); its reply goes to freshOf(). Undefined when there is nothing to record or write.
   */
  recordCall(transitions: Transition[], alsoWrite?: HashFieldWrite): ScriptCall | undefined {
    if (transitions.length === 0 && !alsoWrite) return undefined;
    const keys = transitions.map((t) => watchKeys.transition(this.prefix, t.id));
    keys.push(this.streamKey);
    if (alsoWrite) keys.push(alsoWrite.key);
    const args: string[] = [
      String(this.ttlMs),
      String(this.maxLen),
      alsoWrite?.field ?? "",
      alsoWrite?.value ?? "",
      "0", // how many keys must exist (requiring)
    ];
    for (const t of transitions) {
      const { snapshot: _s, eventObject: _e, ...rest } = t;
      args.push(t.id, JSON.stringify(rest));
    }
    const call = (required: string[]): ScriptCall => ({
      script: RECORD,
      keys: required.length === 0 ? keys : [...keys, ...required],
      args: required.length === 0 ? args : [...args.slice(0, 4), String(required.length), ...args.slice(5)],
      requiring: call,
    });
    return call([]);
  }

  /** The transitions a record call's reply names as recorded now (not before). */
  freshOf(transitions: Transition[], reply: unknown): Transition[] {
    return (reply as number[]).map((i) => transitions[i - 1]!);
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
