// Starts private Redis deployments on free ports so tests can kill, restart and fail them over (never the shared
// :6379): one server (optionally TLS-only, optionally with a password), a Sentinel set (primary, replica, three
// sentinels) and a three-primary Cluster. Each says how the service reaches it (CLI flags + environment) and
// makes clients through the service's own connection module.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis, type RedisOptions } from "ioredis";
import {
  createRedisClient,
  type RedisClient,
  type RedisConnectionSettings,
  type RedisTlsSettings,
} from "../../src/redis/redis-connection.ts";
import { freePort } from "./free-port.ts";

/** A Redis the service can be pointed at. */
export interface RedisDeployment {
  /** How the service reaches it: `rollouts-notifier` flags and environment (passwords). */
  serviceArgs: string[];
  serviceEnv: Record<string, string>;
  /** The same, as connection settings for in-process clients. */
  settings: RedisConnectionSettings;
  /** A client (closed by stop()). */
  client(): RedisClient;
  stop(): Promise<void>;
}

export interface RedisHarness extends RedisDeployment {
  port: number;
  url: string;
  dir: string;
  /** SIGKILL the server (data in memory is lost unless appendonly). */
  kill(): Promise<void>;
  /** Start again on the same port and dir. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT the server: it stops answering (and replicating) without closing a connection. */
  freeze(): void;
  thaw(): void;
  /** Stop and remove the data dir. */
  stop(): Promise<void>;
  client(): Redis;
}

/** Files of a TLS server (see makeTestCertificates). */
export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export interface RedisServerOptions {
  appendonly?: boolean;
  /** requirepass (the default user's password); also masterauth for a replica. */
  password?: string;
  /** Replica of this port. */
  replicaOf?: number;
  /** TLS only (no plain port), clients must present a certificate signed by the test CA. */
  tls?: TestCertificates;
  /** Cluster mode (a node of startRedisCluster). */
  cluster?: boolean;
  /** Extra `redis-server` arguments. */
  args?: string[];
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisHarness> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rn-redis-"));
  let proc: ChildProcess | undefined;
  const clients: RedisClient[] = [];
  const tls: RedisTlsSettings | undefined = opts.tls && {
    caFile: opts.tls.caFile,
    certFile: opts.tls.clientCertFile,
    keyFile: opts.tls.clientKeyFile,
  };
  const url = `${opts.tls ? "rediss" : "redis"}://${opts.password ? `:${opts.password}@` : ""}127.0.0.1:${port}`;
  const settings: RedisConnectionSettings = { topology: { kind: "server", url } };
  if (tls) settings.tls = tls;

  const launch = async () => {
    const args = [
      ...(opts.tls
        ? [
            "--port",
            "0",
            "--tls-port",
            String(port),
            "--tls-cert-file",
            opts.tls.serverCertFile,
            "--tls-key-file",
            opts.tls.serverKeyFile,
            "--tls-ca-cert-file",
            opts.tls.caFile,
            "--tls-auth-clients",
            "yes",
          ]
        : ["--port", String(port)]),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      opts.appendonly ? "yes" : "no",
      "--appendfsync",
      "always",
      "--maxmemory-policy",
      "noeviction",
      ...(opts.password ? ["--requirepass", opts.password, "--masterauth", opts.password] : []),
      ...(opts.replicaOf ? ["--replicaof", "127.0.0.1", String(opts.replicaOf)] : []),
      ...(opts.cluster
        ? [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
          ]
        : []),
      ...(opts.args ?? []),
    ];
    proc = spawn("redis-server", args, { stdio: "ignore" });
    proc.on("error", () => {});
    await waitForPing(() =>
      newClient({ lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 }),
    );
  };
  const newClient = (extra: RedisOptions = {}) => {
    const c = new Redis(port, "127.0.0.1", {
      maxRetriesPerRequest: null,
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.tls
        ? {
            tls: {
              ca: readPem(opts.tls.caFile),
              cert: readPem(opts.tls.clientCertFile),
              key: readPem(opts.tls.clientKeyFile),
            },
          }
        : {}),
      ...extra,
    });
    return c;
  };
  const killProc = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  };

  await launch();
  return {
    port,
    url,
    dir,
    settings,
    serviceArgs: [
      "--redis-url",
      url,
      ...(opts.tls
        ? [
            "--redis-tls-ca-file",
            opts.tls.caFile,
            "--redis-tls-cert-file",
            opts.tls.clientCertFile,
            "--redis-tls-key-file",
            opts.tls.clientKeyFile,
          ]
        : []),
    ],
    serviceEnv: {},
    kill: killProc,
    restart: launch,
    freeze: () => proc?.kill("SIGSTOP"),
    thaw: () => proc?.kill("SIGCONT"),
    async stop() {
      for (const c of clients) c.disconnect();
      await killProc();
      rmSync(dir, { recursive: true, force: true });
    },
    client() {
      const c = newClient();
      c.on("error", () => {}); // kills and restarts are part of the tests
      clients.push(c);
      return c;
    },
  };
}

const pems = new Map<string, Buffer>();
function readPem(file: string): Buffer {
  let b = pems.get(file);
  if (!b) {
    b = readFileSync(file);
    pems.set(file, b);
  }
  return b;
}

async function waitForPing(make: () => Redis): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = "";
  while (Date.now() < deadline) {
    const c = make();
    c.on("error", () => {}); // refused until the server listens
    try {
      await c.connect();
      if ((await c.ping()) === "PONG") return;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      c.disconnect();
    }
    await sleep(50);
  }
  throw new Error(`redis-server did not answer PING within 10s (${last})`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// --- TLS -----------------------------------------------------------------------------------------------------

const run = promisify(execFile);

/** A throw-away CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), "rn-tls-"));
  const f = (n: string) => join(dir, n);
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=rn-test-ca",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
  );
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  writeFileSync(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const who of ["server", "client"]) {
    await openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=rn-test-${who}`,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
    );
    await openssl(
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.crt"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f(`${who}.ext`),
      "-out",
      f(`${who}.crt`),
    );
  }
  return {
    dir,
    caFile: f("ca.crt"),
    serverCertFile: f("server.crt"),
    serverKeyFile: f("server.key"),
    clientCertFile: f("client.crt"),
    clientKeyFile: f("client.key"),
  };
}

// --- Sentinel ------------------------------------------------------------------------------------------------

export interface SentinelSet extends RedisDeployment {
  masterName: string;
  /** The data nodes (index 0 started as the primary). */
  nodes: RedisHarness[];
  sentinelPorts: number[];
  /** The port of the current primary, as the sentinels say. */
  primaryPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, then waits until the old replica is the primary every sentinel names. */
  failover(): Promise<{ from: number; to: number }>;
  /** kill -9 the current primary; resolves once the sentinels promoted the replica. */
  killPrimary(): Promise<{ from: number; to: number }>;
  /** A client of the current primary itself (not through the sentinels). */
  primaryClient(): Promise<Redis>;
  /** Waits until the current primary has a replica that has applied its writes (a fail-over can promote it). */
  replicaInSync(): Promise<void>;
}

/** A primary, one replica and three sentinels (quorum 2); data nodes and sentinels password-protected. */
export async function startSentinelSet(
  opts: { password?: string; sentinelPassword?: string; masterName?: string } = {},
): Promise<SentinelSet> {
  const masterName = opts.masterName ?? "rn-primary";
  const password = opts.password ?? "data-pass-0123";
  const sentinelPassword = opts.sentinelPassword ?? "sentinel-pass-0123";
  const primary = await startRedis({ password });
  const replica = await startRedis({ password, replicaOf: primary.port });
  const nodes = [primary, replica];
  const sentinelDir = mkdtempSync(join(tmpdir(), "rn-sentinel-"));
  const sentinels: { port: number; proc: ChildProcess }[] = [];
  const sentinelClient = (port: number) =>
    new Redis(port, "127.0.0.1", { password: sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 1 });
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(sentinelDir, `sentinel-${i}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${sentinelDir}`,
        `requirepass ${sentinelPassword}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
        `sentinel auth-pass ${masterName} ${password}`,
        `sentinel sentinel-pass ${sentinelPassword}`,
        // 5 s, not 1 s: a loaded 2-core CI host can stall a redis-server past 1–2 s, and the sentinels then fail
        // over a live primary in the middle of the story (a window docs/redis.md describes; not what the tests test)
        `sentinel down-after-milliseconds ${masterName} 5000`,
        `sentinel failover-timeout ${masterName} 4000`,
        `sentinel parallel-syncs ${masterName} 1`,
        "",
      ].join("\n"),
    );
    const proc = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
    proc.on("error", () => {});
    sentinels.push({ port, proc });
  }
  const ask = async <T>(port: number, ...args: string[]): Promise<T> => {
    const c = sentinelClient(port);
    c.on("error", () => {});
    try {
      await c.connect();
      return (await c.call("SENTINEL", ...args)) as T;
    } finally {
      c.disconnect();
    }
  };
  const primaryPort = async () =>
    Number((await ask<string[]>(sentinels[0]!.port, "get-master-addr-by-name", masterName))[1]);
  // every sentinel knows the replica and the two other sentinels: a fail-over can be agreed
  for (const s of sentinels) {
    await until("the sentinels to discover the replica and each other", async () => {
      const m = await ask<string[]>(s.port, "master", masterName);
      const field = (name: string) => Number(m[m.indexOf(name) + 1]);
      return field("num-slaves") >= 1 && field("num-other-sentinels") >= 2;
    });
  }
  const syncedReplicas = async (port: number) => {
    const node = nodes.find((n) => n.port === port)!;
    const c = node.client();
    const info = await c.info("replication");
    c.disconnect();
    return /connected_slaves:1/.test(info) && /state=online/.test(info);
  };
  await until("the replica to sync", () => syncedReplicas(primary.port));
  const clients: RedisClient[] = [];
  const settings: RedisConnectionSettings = {
    topology: {
      kind: "sentinel",
      sentinels: sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
      masterName,
    },
    password,
    sentinelPassword,
  };
  const waitPromoted = async (from: number) => {
    let to = from;
    for (const s of sentinels) {
      await until(
        "every sentinel to name the new primary",
        async () => {
          const addr = await ask<string[]>(s.port, "get-master-addr-by-name", masterName);
          to = Number(addr[1]);
          return to !== from;
        },
        30_000,
      );
    }
    return { from, to };
  };
  return {
    masterName,
    nodes,
    sentinelPorts: sentinels.map((s) => s.port),
    settings,
    serviceArgs: [
      "--redis-sentinels",
      sentinels.map((s) => `127.0.0.1:${s.port}`).join(","),
      "--redis-sentinel-master",
      masterName,
    ],
    serviceEnv: { REDIS_PASSWORD: password, REDIS_SENTINEL_PASSWORD: sentinelPassword },
    primaryPort,
    async failover() {
      const from = await primaryPort();
      await ask(sentinels[0]!.port, "failover", masterName);
      return waitPromoted(from);
    },
    async primaryClient() {
      const port = await primaryPort();
      return nodes.find((n) => n.port === port)!.client();
    },
    async replicaInSync() {
      const port = await primaryPort();
      await until("a replica in sync with the primary", () => syncedReplicas(port), 30_000);
      // "online" is not "applying": a replica can be connected and still not apply the stream (an old primary
      // demoted while its writes were paused applies nothing until the pause ends). A write and WAIT tell.
      const c = nodes.find((n) => n.port === port)!.client();
      try {
        await until(
          "the replica to apply the primary's writes",
          async () => {
            await c.set("rn-test:replica-probe", String(Date.now()));
            return Number(await c.call("WAIT", "1", "1000")) >= 1;
          },
          30_000,
        );
      } finally {
        c.disconnect();
      }
    },
    async killPrimary() {
      const from = await primaryPort();
      await nodes.find((n) => n.port === from)!.kill();
      return waitPromoted(from);
    },
    client() {
      const c = createRedisClient(settings);
      c.on("error", () => {});
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      for (const s of sentinels) {
        if (s.proc.exitCode === null) {
          await new Promise<void>((resolve) => {
            s.proc.once("exit", () => resolve());
            s.proc.kill("SIGKILL");
          });
        }
      }
      for (const n of nodes) await n.stop();
      rmSync(sentinelDir, { recursive: true, force: true });
    },
  };
}

// --- Cluster -------------------------------------------------------------------------------------------------

export interface RedisClusterHarness extends RedisDeployment {
  nodes: RedisHarness[];
}

/** Three primaries (no replicas), slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(opts: { primaries?: number } = {}): Promise<RedisClusterHarness> {
  const nodes: RedisHarness[] = [];
  for (let i = 0; i < (opts.primaries ?? 3); i++) nodes.push(await startRedis({ cluster: true }));
  await run("redis-cli", [
    "--cluster",
    "create",
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    "--cluster-replicas",
    "0",
    "--cluster-yes",
  ]);
  for (const n of nodes) {
    await until("the cluster state to be ok on every node", async () => {
      const c = n.client();
      const info = (await c.call("CLUSTER", "INFO")) as string;
      c.disconnect();
      return info.includes("cluster_state:ok");
    });
  }
  const settings: RedisConnectionSettings = {
    topology: { kind: "cluster", nodes: nodes.map((n) => ({ host: "127.0.0.1", port: n.port })) },
  };
  const clients: RedisClient[] = [];
  return {
    nodes,
    settings,
    serviceArgs: ["--redis-cluster", nodes.map((n) => `127.0.0.1:${n.port}`).join(",")],
    serviceEnv: {},
    client() {
      const c = createRedisClient(settings);
      c.on("error", () => {});
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      for (const n of nodes) await n.stop();
    },
  };
}
