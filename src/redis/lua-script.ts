// A Lua script kept in its own .lua file next to the module that owns its keys, read once when that module loads
// (a missing file fails at start, not at the first delivery). Run by SHA; a server that does not know it yet
// (new, restarted, failed over) gets the source once.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "./redis-connection.ts";

const INCLUDE = /^-- include: ([\w.-]+\.lua)$/gm;

export class LuaScript {
  readonly source: string;
  readonly sha: string;
  /** Keys every call passes (undefined: as many as the call has). */
  readonly numberOfKeys: number | undefined;

  constructor(source: string, numberOfKeys?: number) {
    this.source = source;
    this.numberOfKeys = numberOfKeys;
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Reads a .lua file; a line `-- include: other.lua` is replaced by that file (same directory, one level). */
  static load(file: URL, numberOfKeys?: number): LuaScript {
    const source = readFileSync(file, "utf8").replace(INCLUDE, (_line, name: string) =>
      readFileSync(new URL(name, file), "utf8"),
    );
    return new LuaScript(source, numberOfKeys);
  }

  private check(keys: string[]): void {
    if (this.numberOfKeys !== undefined && keys.length !== this.numberOfKeys) {
      throw new Error(`script expects ${this.numberOfKeys} keys`);
    }
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    this.check(keys);
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).includes("NOSCRIPT")) throw err;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Appends one call to a pipeline that also carries other commands which must run after it (another library's, in
   * the same round trip). Sent with its source (EVAL), never by SHA: a server that lacks the script cannot answer
   * NOSCRIPT and run the commands after it without it.
   */
  queueIn(pipeline: ChainableCommander, keys: string[], args: (string | number)[]): void {
    this.check(keys);
    pipeline.eval(this.source, keys.length, ...keys, ...args);
  }

  /**
   * Runs the script once per call in one round trip (an ioredis pipeline, not a transaction: each call is atomic
   * on its own). Calls the server did not know the script for are run again one by one (NOSCRIPT ran nothing).
   * `waitForReplica` appends WAIT 1 <timeout> to the same round trip: it answers once a replica has the writes
   * (or after the timeout: then they are on the primary only, as without a replica).
   */
  async runMany(
    redis: RedisClient,
    calls: { keys: string[]; args: (string | number)[] }[],
    opts: { waitForReplica?: { timeoutMs: number } } = {},
  ): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const pipe = redis.pipeline();
    for (const c of calls) {
      this.check(c.keys);
      pipe.evalsha(this.sha, c.keys.length, ...c.keys, ...c.args);
    }
    if (opts.waitForReplica) pipe.call("WAIT", "1", String(opts.waitForReplica.timeoutMs));
    const res = (await pipe.exec()) ?? [];
    return Promise.all(
      calls.map(async (c, i) => {
        const [err, value] = res[i] ?? [new Error("no reply"), undefined];
        if (!err) return value;
        if (!String(err.message).includes("NOSCRIPT")) throw err;
        return redis.eval(this.source, c.keys.length, ...c.keys, ...c.args);
      }),
    );
  }
}
