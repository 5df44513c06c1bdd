// Calls of one Lua script gathered over a tick and sent in one round trip (LuaScript.runMany: a pipeline, each
// call atomic on its own, in the order they were made). For best-effort writes many callers make at once (the
// delivery history's one write per attempt): N deliveries settling together cost one round trip, not N.
// Bounded: a batch is sent as soon as it holds `maxBatch` calls.
import type { LuaScript } from "./lua-script.ts";
import type { RedisClient } from "./redis-connection.ts";

interface PendingCall {
  keys: string[];
  args: (string | number)[];
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class BatchedScript {
  readonly #script: LuaScript;
  readonly #redis: RedisClient;
  readonly #maxBatch: number;
  #pending: PendingCall[] = [];
  #scheduled = false;

  constructor(script: LuaScript, redis: RedisClient, opts: { maxBatch?: number } = {}) {
    this.#script = script;
    this.#redis = redis;
    this.#maxBatch = opts.maxBatch ?? 500;
  }

  /** Queues one call; resolves with its reply once its batch has been sent. */
  run(keys: string[], args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ keys, args, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#script.runMany(this.#redis, batch).then(
      (replies) => {
        for (const [i, call] of batch.entries()) call.resolve(replies[i]);
      },
      (err: unknown) => {
        for (const call of batch) call.reject(err);
      },
    );
  }
}
