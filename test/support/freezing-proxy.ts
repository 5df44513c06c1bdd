// A TCP proxy in front of a server that can freeze one connection: from then on nothing more goes through it in
// either direction, and it stays open — what a half-open connection looks like to both ends (a peer that
// vanished without a FIN or RST, a stateful firewall that dropped the flow). The connection to freeze is the next
// one whose client sends bytes containing `marker` (e.g. the command a blocking Redis connection sends).
import { connect, createServer, type Server, type Socket } from "node:net";

export interface FreezingProxy {
  port: number;
  url(scheme?: string): string;
  /** Freezes the next connection whose client sends `marker` (once); resolves when it has. */
  freezeNextSending(marker: string): Promise<void>;
  /** Connections frozen so far. */
  readonly frozen: number;
  close(): Promise<void>;
}

export async function startFreezingProxy(
  targetPort: number,
  targetHost = "127.0.0.1",
): Promise<FreezingProxy> {
  const sockets = new Set<Socket>();
  let pending: { marker: string; done: () => void } | undefined;
  let frozen = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    let isFrozen = false;
    client.on("data", (chunk) => {
      if (!isFrozen && pending && chunk.includes(pending.marker)) {
        isFrozen = true;
        frozen++;
        const { done } = pending;
        pending = undefined;
        done();
      }
      if (!isFrozen) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!isFrozen) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (scheme = "redis") => `${scheme}://127.0.0.1:${port}`,
    freezeNextSending: (marker) =>
      new Promise<void>((done) => {
        pending = { marker, done };
      }),
    get frozen() {
      return frozen;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
