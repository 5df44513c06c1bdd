// A sink's durable state per Rollout revision (or any other key a template names): one JSON record per key, shared
// by worker replicas and surviving restarts in Redis, process-local without Redis (demo, tests). A type keeps what
// it must find again for the later notifications of a revision in it (an annotation id, a thread root …).
//
// Redis keys: `rn:<type>:<kind>:<sha256(JSON key parts)>` (the parts may hold anything — service names, recipients,
// secrets — and are only ever hashed), a JSON value, TTL refreshed on every read and write. Single-key commands
// only (any Redis topology).
import { createHash } from "node:crypto";
import { KEY_ROOT } from "../../redis/keys.ts";
import type { RedisClient } from "../../redis/redis-connection.ts";
import type { SinkDeps } from "../service-type.ts";

export interface RevisionStore<T> {
  /** The record under the key, or undefined (none, expired, or not a valid record). */
  get(key: readonly string[]): Promise<T | undefined>;
  set(key: readonly string[], record: T): Promise<void>;
  delete(key: readonly string[]): Promise<void>;
}

export interface RevisionStoreSpec<T> {
  /** The service type that owns the records (the key's namespace, and its `SinkDeps.state` override name). */
  type: string;
  /** What the records are (e.g. "region"). */
  kind: string;
  /** Seconds a record is kept after its last use. */
  ttlSec: number;
  /** The record from its stored JSON value, or undefined when it is not one (then treated as absent). */
  parse(value: unknown): T | undefined;
}

const hashKey = (key: readonly string[]) => createHash("sha256").update(JSON.stringify(key)).digest("hex");

/** Process-local: records live as long as the process (no TTL). */
export class InMemoryRevisionStore<T> implements RevisionStore<T> {
  readonly #records = new Map<string, string>();
  readonly #parse: (value: unknown) => T | undefined;

  constructor(parse: (value: unknown) => T | undefined) {
    this.#parse = parse;
  }

  async get(key: readonly string[]): Promise<T | undefined> {
    const raw = this.#records.get(hashKey(key));
    return raw === undefined ? undefined : this.#parse(JSON.parse(raw));
  }
  async set(key: readonly string[], record: T): Promise<void> {
    this.#records.set(hashKey(key), JSON.stringify(record));
  }
  async delete(key: readonly string[]): Promise<void> {
    this.#records.delete(hashKey(key));
  }
}

export class RedisRevisionStore<T> implements RevisionStore<T> {
  readonly #redis: RedisClient;
  readonly #spec: RevisionStoreSpec<T>;

  constructor(redis: RedisClient, spec: RevisionStoreSpec<T>) {
    this.#redis = redis;
    this.#spec = spec;
  }

  #key(key: readonly string[]): string {
    return `${KEY_ROOT}:${this.#spec.type}:${this.#spec.kind}:${hashKey(key)}`;
  }

  async get(key: readonly string[]): Promise<T | undefined> {
    const raw = await this.#redis.getex(this.#key(key), "EX", this.#spec.ttlSec);
    if (raw === null) return undefined;
    try {
      return this.#spec.parse(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }
  async set(key: readonly string[], record: T): Promise<void> {
    await this.#redis.set(this.#key(key), JSON.stringify(record), "EX", this.#spec.ttlSec);
  }
  async delete(key: readonly string[]): Promise<void> {
    await this.#redis.del(this.#key(key));
  }
}

/**
 * The store a type's sink uses: the test override `deps.state[type]` if given, else Redis when the sinks have it,
 * else process-local.
 */
export function revisionStore<T>(deps: SinkDeps, spec: RevisionStoreSpec<T>): RevisionStore<T> {
  const override = deps.state?.[spec.type] as RevisionStore<T> | undefined;
  if (override) return override;
  return deps.redis ? new RedisRevisionStore(deps.redis, spec) : new InMemoryRevisionStore(spec.parse);
}
