// Every Redis connection of the service is made here: one server (redis:// or rediss:// URL), a Sentinel set
// (the primary found through sentinels and followed across fail-overs), or a Redis Cluster; TLS with a CA
// bundle and client certificate; ACL user/password. Callers get an ioredis client (Redis, or Cluster) and never
// see the topology again: key prefixes that must share a hash slot on a Cluster come from ./keys.ts.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

/** A client of one server / a Sentinel primary (Redis) or of a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTopology =
  | { kind: "server"; url: string }
  | { kind: "sentinel"; sentinels: HostPort[]; masterName: string }
  | { kind: "cluster"; nodes: HostPort[] };

export interface RedisTlsSettings {
  /** PEM file(s) of the CAs that sign the servers' certificates (default: Node's bundled CAs). */
  caFile?: string;
  /** Client certificate and key (PEM) for servers that require one (`tls-auth-clients yes`). */
  certFile?: string;
  keyFile?: string;
  /** Skip the server certificate check (only ever when asked: a test or a migration). */
  insecure?: boolean;
}

export interface RedisConnectionSettings {
  topology: RedisTopology;
  /** ACL user and password of the data nodes (a URL's own credentials win for the "server" topology). */
  username?: string;
  password?: string;
  /** Credentials of the sentinels themselves (Sentinel topology only). */
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS to every node (and sentinel). Also on for a rediss:// URL. */
  tls?: RedisTlsSettings | undefined;
}

export interface RedisClientOptions {
  /**
   * "queue" (default): commands wait through reconnects and fail-overs instead of failing (what the queue's workers need).
   * "command": a one-shot CLI command — fails fast when Redis cannot be reached.
   */
  purpose?: "queue" | "command";
  /** Connect on the first command (default) or only on connect() (lazyConnect). */
  lazyConnect?: boolean;
  /** Overrides the purpose's retries per command (e.g. 1 for best-effort writes). */
  maxRetriesPerRequest?: number;
}

/** Connection settings of a single server given by URL (tests, replay, dlq). */
export function serverSettings(url: string): RedisConnectionSettings {
  return { topology: { kind: "server", url } };
}

/** Parses "host:port,host:port" (IPv6 as [addr]:port); throws a plain Error naming the bad entry. */
export function parseHostPorts(list: string): HostPort[] {
  const out: HostPort[] = [];
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
    out.push({ host: (m[1] ?? m[2])!, port });
  }
  if (out.length === 0) throw new Error("no host:port given");
  if (out.length > 64) throw new Error("at most 64 host:port entries");
  return out;
}

function tlsOptions(tls: RedisTlsSettings): ConnectionOptions {
  const o: ConnectionOptions = {};
  if (tls.caFile) o.ca = readFileSync(tls.caFile);
  if (tls.certFile) o.cert = readFileSync(tls.certFile);
  if (tls.keyFile) o.key = readFileSync(tls.keyFile);
  if (tls.insecure) o.rejectUnauthorized = false;
  return o;
}

/** Replies that mean "this node is no longer the primary": reconnect (to the new one) and send the command again. */
function reconnectOnFailover(err: Error): 2 | false {
  return /^(READONLY|LOADING|MASTERDOWN)/.test(err.message) ? 2 : false;
}

function baseOptions(s: RedisConnectionSettings, o: RedisClientOptions): RedisOptions {
  const opts: RedisOptions = {
    enableReadyCheck: true,
    reconnectOnError: reconnectOnFailover,
  };
  if (o.purpose === "command") {
    opts.connectTimeout = 5_000;
    opts.maxRetriesPerRequest = 2;
  } else {
    opts.maxRetriesPerRequest = null;
  }
  if (o.maxRetriesPerRequest !== undefined) opts.maxRetriesPerRequest = o.maxRetriesPerRequest;
  if (o.lazyConnect) opts.lazyConnect = true;
  if (s.username !== undefined) opts.username = s.username;
  if (s.password !== undefined) opts.password = s.password;
  return opts;
}

/** The client for these settings. Errors are emitted on the client ("error" event): callers must listen. */
export function createRedisClient(s: RedisConnectionSettings, o: RedisClientOptions = {}): RedisClient {
  const opts = baseOptions(s, o);
  const failFast = o.purpose === "command" ? (times: number) => (times > 2 ? null : 200) : undefined;
  const t = s.topology;
  if (t.kind === "server") {
    const url = new URL(t.url);
    if (url.username || url.password) {
      // the URL's own credentials win; ioredis reads them from the URL
      delete opts.username;
      delete opts.password;
    }
    if (s.tls || url.protocol === "rediss:") opts.tls = tlsOptions(s.tls ?? {});
    if (failFast) opts.retryStrategy = failFast;
    return new Redis(t.url, opts);
  }
  if (t.kind === "sentinel") {
    opts.sentinels = t.sentinels;
    opts.name = t.masterName;
    opts.role = "master";
    // No failoverDetector: with ioredis 6 its disconnect on +switch-master can race a reconnect in progress and
    // end the client for good ("Connection is closed." forever). Sentinel closes the clients of a demoted primary
    // (CLIENT KILL) and a crashed one drops them; READONLY replies reconnect too (reconnectOnFailover).
    if (s.sentinelUsername !== undefined) opts.sentinelUsername = s.sentinelUsername;
    if (s.sentinelPassword !== undefined) opts.sentinelPassword = s.sentinelPassword;
    if (s.tls) {
      opts.tls = tlsOptions(s.tls);
      opts.sentinelTLS = tlsOptions(s.tls);
      opts.enableTLSForSentinelMode = true;
    }
    if (failFast) opts.sentinelRetryStrategy = failFast;
    return new Redis(opts);
  }
  const clusterOpts: ClusterOptions = {
    redisOptions: opts,
    // a node's MOVED/ASK during a fail-over or resharding is followed; slots are refreshed on errors
    enableReadyCheck: true,
    slotsRefreshTimeout: 2_000,
  };
  if (s.tls) clusterOpts.redisOptions = { ...opts, tls: tlsOptions(s.tls) };
  if (failFast) clusterOpts.clusterRetryStrategy = failFast;
  delete (clusterOpts.redisOptions as RedisOptions).lazyConnect;
  if (o.lazyConnect) clusterOpts.lazyConnect = true;
  return new Cluster(t.nodes, clusterOpts);
}

/**
 * Whether writes this client makes are replicated to a standby that a fail-over promotes (a Sentinel primary):
 * then a write that must survive the primary's crash is followed by WAIT (see docs/redis.md).
 */
export function hasFailoverReplica(client: RedisClient): boolean {
  const o = client.options;
  return !client.isCluster && "sentinels" in o && (o.sentinels?.length ?? 0) > 0;
}

/** Where these settings point, for logs and error messages: never a password (URL credentials are dropped). */
export function describeRedisTarget(s: RedisConnectionSettings): string {
  const t = s.topology;
  if (t.kind === "server") {
    try {
      const u = new URL(t.url);
      return `Redis at ${u.hostname}:${u.port || "6379"}${u.protocol === "rediss:" || s.tls ? " (TLS)" : ""}`;
    } catch {
      return "Redis"; // not a URL: keep it vague (it may hold a password)
    }
  }
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(",");
  const tls = s.tls ? " (TLS)" : "";
  if (t.kind === "sentinel")
    return `Redis primary "${t.masterName}" via sentinels ${list(t.sentinels)}${tls}`;
  return `Redis Cluster at ${list(t.nodes)}${tls}`;
}

/** A "queue" client of one server given by URL (replay, tests, benchmarks). */
export function createRedisConnection(url: string): Redis {
  return createRedisClient(serverSettings(url)) as Redis;
}

/**
 * Connects a lazyConnect client now. A failure is reported with the reason the client gave (certificate
 * rejected, WRONGPASS, refused…) instead of ioredis' bare "Connection is closed.".
 */
export async function connectNow(client: RedisClient): Promise<void> {
  let last: Error | undefined;
  const onError = (err: Error) => {
    last = err;
  };
  client.on("error", onError);
  try {
    await client.connect();
  } catch (err) {
    const cause = last ?? (err as Error);
    throw new Error(cause.message || String(cause), { cause });
  } finally {
    client.off("error", onError);
  }
}
