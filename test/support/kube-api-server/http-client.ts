// Minimal raw HTTP access to a test API server for its own tests (the service uses client-node/undici).
import type { KubeApiServer } from "./index.ts";
import { waitFor } from "./wait-for.ts";

export interface RawResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test helper returning arbitrary JSON
  body: any;
}

export async function api(
  server: KubeApiServer,
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; token?: string | null } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? server.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] = opts.contentType ?? "application/json";
  }
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface WatchEventLine {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary object
  object: any;
}

/** Opens a watch and collects its events until closed or the stream ends. */
export async function openWatch(server: KubeApiServer, path: string) {
  const controller = new AbortController();
  const events: WatchEventLine[] = [];
  let ended = false;
  const res = await fetch(server.url + path, {
    headers: { authorization: `Bearer ${server.token}` },
    signal: controller.signal,
  });
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)) as WatchEventLine);
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf("\n");
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    status: res.status,
    events,
    get ended() {
      return ended;
    },
    /** Waits until at least n events arrived. */
    async next(n: number): Promise<WatchEventLine[]> {
      await waitFor(`${n} watch events on ${path} (got ${events.length})`, () => events.length >= n);
      return events;
    },
    close() {
      controller.abort();
      return done;
    },
    done,
  };
}
