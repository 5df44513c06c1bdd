// A Lua script kept in its own .lua file next to the module that owns its keys, read once when that module loads
// (a missing file fails at start, not at the first delivery). Run by SHA; a server that does not know it yet
// (new, restarted, failed over) gets the source once.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "./redis-connection.ts";
import { appendWait, type ReplicaWait, replicasOf } from "./replica-wait.ts";

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

  /**
   * Reads a .lua file; a line `-- include: other.lua` is replaced by that file (same directory; its own includes
   * too), each file once: a second include of it is dropped.
   */
  static load(file: URL, numberOfKeys?: number): LuaScript {
    return new LuaScript(compact(LuaScript.expand(file, new Set())), numberOfKeys);
  }

  /** The source of a .lua file with its includes expanded (see load). */
  static expand(file: URL, included: Set<string>): string {
    included.add(file.href);
    return readFileSync(file, "utf8").replace(INCLUDE, (_line, name: string) => {
      const other = new URL(name, file);
      return included.has(other.href) ? "" : LuaScript.expand(other, included);
    });
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
   * Appends one call with its source (EVAL) to a pipeline that also carries commands which must run after it and
   * cannot tell whether it ran: a server that lacks the script cannot answer NOSCRIPT and run them without it.
   */
  queueIn(pipeline: ChainableCommander, keys: string[], args: (string | number)[]): void {
    this.check(keys);
    pipeline.eval(this.source, keys.length, ...keys, ...args);
  }

  /**
   * Appends one call by SHA to a pipeline whose other commands do not depend on it, or check that it ran (its
   * reply may be NOSCRIPT: the caller then runs it again, with run() or queueIn()).
   */
  queueByShaIn(pipeline: ChainableCommander, keys: string[], args: (string | number)[]): void {
    this.check(keys);
    pipeline.evalsha(this.sha, keys.length, ...keys, ...args);
  }

  /**
   * Runs the script once per call in one round trip (an ioredis pipeline, not a transaction: each call is atomic
   * on its own). Calls the server did not know the script for are run again one by one (NOSCRIPT ran nothing).
   * With `wait` (through Sentinel), `WAIT 1 <ms>` goes in the same round trip (ReplicaWait); a round trip a
   * fail-over cut fails, and the caller sends the (idempotent) calls again.
   */
  async runMany(
    redis: RedisClient,
    calls: { keys: string[]; args: (string | number)[] }[],
    wait?: ReplicaWait,
  ): Promise<unknown[]> {
    if (calls.length === 0) return [];
    for (const c of calls) this.check(c.keys);
    const once = async (waitMs: number | undefined) => {
      const pipe = redis.pipeline();
      for (const c of calls) pipe.evalsha(this.sha, c.keys.length, ...c.keys, ...c.args);
      appendWait(pipe, waitMs);
      const res = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
      let rerun = false;
      const values = await Promise.all(
        calls.map(async (c, i) => {
          const [err, value] = res[i] ?? [new Error("no reply"), undefined];
          if (!err) return value;
          if (!String(err.message).includes("NOSCRIPT")) throw err;
          rerun = true;
          return redis.eval(this.source, c.keys.length, ...c.keys, ...c.args);
        }),
      );
      if (waitMs === undefined) return { result: values, replicas: undefined };
      // calls run again by source came after the pipeline's WAIT: one more WAIT covers them
      const replicas = rerun
        ? Number(await redis.call("WAIT", "1", String(waitMs)))
        : replicasOf(waitMs, res);
      return { result: values, replicas };
    };
    return wait ? wait.write(once) : (await once(undefined)).result;
  }
}

/**
 * A script's source without its comments, indentation and blank lines: what is sent (an EVAL carries the source
 * every time; the server hashes it on every call) is about half of what is read. Our scripts hold no long strings
 * or comments (`--[[`), and no string with " -- " in it.
 */
function compact(source: string): string {
  return source
    .split("\n")
    .map((line) => line.replace(/^\s+/, "").replace(/\s+--\s.*$/, ""))
    .filter((line) => line !== "" && !line.startsWith("--"))
    .join("\n");
}
