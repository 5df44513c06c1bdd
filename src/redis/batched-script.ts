// Calls of one Lua script gathered over a tick and sent in one round trip (LuaScript.runMany: a pipeline, each
// call atomic on its own, in the order they were made). For best-effort writes many callers make at once (the
// delivery history's one write per attempt): N deliveries settling together cost one round trip, not N.
// Bounded: a batch is sent as soon as it holds `maxBatch` calls. With `windowMs` the calls of that many
// milliseconds go together (fewer, larger round trips for writes nobody waits on); flush() sends them at once.
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
  readonly #windowMs: number;
  #pending: PendingCall[] = [];
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  /** Batches sent and not answered yet. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(script: LuaScript, redis: RedisClient, opts: { maxBatch?: number; windowMs?: number } = {}) {
    this.#script = script;
    this.#redis = redis;
    this.#maxBatch = opts.maxBatch ?? 500;
    this.#windowMs = opts.windowMs ?? 0;
  }

  /** Queues one call; resolves with its reply once its batch has been sent. */
  run(keys: string[], args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ keys, args, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        if (this.#windowMs > 0) this.#timer = setTimeout(() => this.#flush(), this.#windowMs);
        else setImmediate(() => this.#flush());
      }
    });
  }

  /** Sends what is pending now; resolves when every batch sent so far has been answered (or has failed). */
  async flush(): Promise<void> {
    this.#flush();
    await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const sent = this.#script.runMany(this.#redis, batch).then(
      (replies) => {
        for (const [i, call] of batch.entries()) call.resolve(replies[i]);
      },
      (err: unknown) => {
        for (const call of batch) call.reject(err);
      },
    );
    this.#inFlight.add(sent);
    void sent.finally(() => this.#inFlight.delete(sent));
  }
}
