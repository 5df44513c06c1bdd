// A local HTTP sink that answers 200 at once and counts what it received, per Idempotency-Key too (a key
// received twice is a duplicate notification).
import { createServer, type IncomingMessage } from "node:http";

export interface CountingSink {
  url: string;
  received: () => number;
  /** Deliveries per Idempotency-Key header (requests without one are not counted here). */
  keys: Map<string, number>;
  /** Requests whose Idempotency-Key had been received before. */
  duplicates: () => number;
  onRequest: (fn: (req: IncomingMessage, body: string) => void) => void;
  /** Forgets what was received (counts, keys, duplicates): a new round of a benchmark that reuses the sink. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  let count = 0;
  let duplicates = 0;
  const keys = new Map<string, number>();
  let listener: ((req: IncomingMessage, body: string) => void) | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      count++;
      const key = req.headers["idempotency-key"];
      if (typeof key === "string") {
        const n = keys.get(key) ?? 0;
        if (n > 0) duplicates++;
        keys.set(key, n + 1);
      }
      listener?.(req, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => count,
    keys,
    duplicates: () => duplicates,
    onRequest: (fn) => {
      listener = fn;
    },
    reset: () => {
      count = 0;
      duplicates = 0;
      keys.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
