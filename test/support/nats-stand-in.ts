// A real nats-server (Debian package nats-server, checked by scripts/check-prereqs.ts) on a free port with
// user/password authorization (the service's user may not publish to "forbidden.>"), behind a TCP proxy on another
// port that reads the client's protocol: every PUB/HPUB is recorded, and counts as accepted once the server's PONG
// to the client's following PING (the sink's flush) passes with no -ERR before it. The proxy injects failures for
// the next connection: dropped at once (the server unreachable), an authorization error on CONNECT, or a black hole
// after the first publish (the client times out; the message is not processed).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface NatsPublished {
  subject: string;
  /** The header block as sent (NATS/1.0 then Name: value lines), "" for PUB. */
  headers: Record<string, string>;
  data: string;
}

export type NatsFailure =
  | { kind: "drop" }
  | { kind: "auth"; text: string }
  | { kind: "blackhole"; ms: number };

const MAX_BUFFER = 8 * 1024 * 1024;

export class NatsStandIn {
  /** Accepted publishes, in order. */
  readonly messages: NatsPublished[] = [];
  /** Every publish the proxy saw (accepted or not). */
  readonly received: NatsPublished[] = [];
  readonly #failures: NatsFailure[] = [];
  readonly #sockets = new Set<Socket>();

  readonly url: string;
  readonly serverPort: number;
  private readonly proc: ChildProcess;
  private readonly proxy: Server;
  private readonly dir: string;

  private constructor(url: string, serverPort: number, proc: ChildProcess, proxy: Server, dir: string) {
    this.url = url;
    this.serverPort = serverPort;
    this.proc = proc;
    this.proxy = proxy;
    this.dir = dir;
  }

  static async start(opts: { username: string; password: string }): Promise<NatsStandIn> {
    const serverPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "rn-nats-"));
    const conf = join(dir, "nats.conf");
    writeFileSync(
      conf,
      `listen: "127.0.0.1:${serverPort}"\nmax_payload: 1048576\n` +
        `authorization {\n  users = [\n    { user: ${JSON.stringify(opts.username)}, password: ${JSON.stringify(opts.password)},` +
        ` permissions: { publish: { deny: ["forbidden.>"] } } }\n  ]\n}\n`,
    );
    const proc = spawn("nats-server", ["-c", conf], { stdio: "ignore" });
    proc.on("error", () => {});
    await waitForPort(serverPort);
    const proxyPort = await freePort();
    let self: NatsStandIn | undefined;
    const proxy = createServer((client) => self?.handle(client));
    await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
    self = new NatsStandIn(`nats://127.0.0.1:${proxyPort}`, serverPort, proc, proxy, dir);
    return self;
  }

  /** The next connection fails this way. */
  fail(f: NatsFailure): void {
    this.#failures.push(f);
  }

  reset(): void {
    this.messages.length = 0;
    this.received.length = 0;
    this.#failures.length = 0;
  }

  private handle(client: Socket): void {
    this.#sockets.add(client);
    client.on("close", () => this.#sockets.delete(client));
    client.on("error", () => {});
    const failure = this.#failures.shift();
    if (failure?.kind === "drop") {
      client.destroy();
      return;
    }
    const server = netConnect(this.serverPort, "127.0.0.1");
    this.#sockets.add(server);
    server.on("close", () => {
      this.#sockets.delete(server);
      client.destroy();
    });
    server.on("error", () => {});
    client.on("close", () => server.destroy());
    let pending: NatsPublished[] = [];
    let refused = false;
    let holing = false;
    let fromClient = Buffer.alloc(0);
    let fromServer = "";
    client.on("data", (chunk: Buffer) => {
      if (holing) return;
      fromClient = Buffer.concat([fromClient, chunk]);
      if (fromClient.length > MAX_BUFFER) return client.destroy();
      const forward: Buffer[] = [];
      for (;;) {
        const eol = fromClient.indexOf("\r\n");
        if (eol < 0) break;
        const line = fromClient.subarray(0, eol).toString();
        const [op = "", ...args] = line.split(" ");
        if (op.toUpperCase() === "CONNECT" && failure?.kind === "auth") {
          client.end(`-ERR '${failure.text}'\r\n`);
          fromClient = Buffer.alloc(0);
          return;
        }
        if (op.toUpperCase() === "PUB" || op.toUpperCase() === "HPUB") {
          const hpub = op.toUpperCase() === "HPUB";
          const total = Number(args.at(-1));
          const hdrLen = hpub ? Number(args.at(-2)) : 0;
          if (fromClient.length < eol + 2 + total + 2) break;
          const body = fromClient.subarray(eol + 2, eol + 2 + total);
          const pub: NatsPublished = {
            subject: args[0] ?? "",
            headers: parseHeaders(body.subarray(0, hdrLen).toString()),
            data: body.subarray(hdrLen).toString(),
          };
          this.received.push(pub);
          const whole = fromClient.subarray(0, eol + 2 + total + 2);
          fromClient = fromClient.subarray(eol + 2 + total + 2);
          if (failure?.kind === "blackhole") {
            holing = true;
            setTimeout(() => client.destroy(), failure.ms).unref();
            break;
          }
          pending.push(pub);
          forward.push(whole);
          continue;
        }
        forward.push(fromClient.subarray(0, eol + 2));
        fromClient = fromClient.subarray(eol + 2);
      }
      if (forward.length) server.write(Buffer.concat(forward));
    });
    server.on("data", (chunk: Buffer) => {
      fromServer += chunk.toString();
      if (fromServer.length > MAX_BUFFER) return server.destroy();
      let eol = fromServer.indexOf("\r\n");
      while (eol >= 0) {
        const line = fromServer.slice(0, eol);
        fromServer = fromServer.slice(eol + 2);
        if (line.startsWith("-ERR")) refused = true;
        if (line === "PONG") {
          if (!refused) this.messages.push(...pending);
          pending = [];
          refused = false;
        }
        eol = fromServer.indexOf("\r\n");
      }
      client.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
    if (this.proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.proc.once("exit", () => resolve());
        this.proc.kill("SIGTERM");
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, "127.0.0.1");
      s.once("data", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not start on port ${port}`);
}
