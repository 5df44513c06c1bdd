// kubeRequest (src/watch/kube-http.ts), the raw REST access every list, lease, config read and Kubernetes Event
// write goes through: against the Kubernetes API test server, and a bare HTTP server for answers that server
// never gives (a non-Status error body, an empty 2xx body, a count of connections).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeApiError, kubeRequest } from "../../src/watch/kube-http.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { loadKubeconfig, writeKubeconfig } from "../support/kubeconfig.ts";

let api: KubeApiServer;

beforeAll(async () => {
  api = await startKubeApiServer({ requireToken: true, namespaces: ["default", "apps"] });
});
afterAll(async () => {
  await api.stop();
});
afterEach(() => {
  api.faults.clear();
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

const CM = "/api/v1/namespaces/apps/configmaps";

describe("kubeRequest against the Kubernetes API test server", () => {
  it("creates, reads, patches (strategic merge) and lists, parsing the JSON answers", async () => {
    const kc = api.kubeConfig();
    const created = await kubeRequest<{ metadata: { name: string; uid: string } }>(kc, "POST", CM, {
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "one", labels: { app: "a" } },
        data: { k: "v" },
      },
    });
    expect(created.metadata.name).toBe("one");
    expect(created.metadata.uid).toBeTruthy();
    const patched = await kubeRequest<{ data: Record<string, string> }>(kc, "PATCH", `${CM}/one`, {
      body: { data: { k2: "v2" } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(patched.data).toEqual({ k: "v", k2: "v2" });
    const got = await kubeRequest<{ data: Record<string, string> }>(kc, "GET", `${CM}/one`);
    expect(got.data).toEqual({ k: "v", k2: "v2" });
    const list = await kubeRequest<{ items: { metadata: { name: string } }[] }>(kc, "GET", CM, {
      query: { labelSelector: "app in (a,b),tier!=x" },
    });
    expect(list.items.map((i) => i.metadata.name)).toEqual(["one"]);
  });

  it('answer "discard": a 2xx body is read off unparsed (undefined), an error still raises KubeApiError', async () => {
    const kc = api.kubeConfig();
    const out = await kubeRequest(kc, "POST", CM, {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "discarded" } },
      answer: "discard",
    });
    expect(out).toBeUndefined();
    expect(api.objects.get({ kind: "ConfigMap", namespace: "apps", name: "discarded" })).toBeTruthy();
    const err = await rejection(kubeRequest(kc, "GET", `${CM}/missing`, { answer: "discard" }));
    expect((err as KubeApiError).statusCode).toBe(404);
    expect((err as KubeApiError).reason).toBe("NotFound");
    expect(err.message).toBe(`GET ${CM}/missing: HTTP 404: configmaps "missing" not found`);
    await expect(kubeRequest(kc, "GET", `${CM}/discarded`)).resolves.toMatchObject({
      metadata: { name: "discarded" },
    });
  });

  it("encodes the query: values stringified, undefined left out, reserved characters escaped", async () => {
    const kc = api.kubeConfig();
    await kubeRequest(kc, "GET", CM, {
      query: {
        limit: 5,
        allowWatchBookmarks: false,
        continue: undefined,
        labelSelector: "app in (a,b),tier!=x",
        fieldSelector: "metadata.name=o+n&e #?",
      },
    });
    const seen = api.faults.requests.filter((r) => r.path === CM && r.method === "GET").at(-1);
    expect(seen?.query).toEqual({
      limit: "5",
      allowWatchBookmarks: "false",
      labelSelector: "app in (a,b),tier!=x",
      fieldSelector: "metadata.name=o+n&e #?",
    });
  });

  it("raises KubeApiError with the status, the Status reason and message", async () => {
    const kc = api.kubeConfig();
    const err = await rejection(kubeRequest(kc, "GET", `${CM}/missing`));
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(404);
    expect((err as KubeApiError).reason).toBe("NotFound");
    expect(err.message).toBe(`GET ${CM}/missing: HTTP 404: configmaps "missing" not found`);

    api.faults.failNext(1, CM, 500, "GET");
    const injected = await rejection(kubeRequest(kc, "GET", CM));
    expect((injected as KubeApiError).statusCode).toBe(500);
    expect(injected.message).toMatch(new RegExp(`^GET ${CM}: HTTP 500`));
  });

  it("applies the KubeConfig's credentials on every request: a token changed in between is the one sent", async () => {
    const kc = api.kubeConfig();
    await kubeRequest(kc, "GET", CM);
    const user = kc.getCurrentUser() as { token?: string };
    const good = user.token;
    (kc.users[0] as { token?: string }).token = "not-the-token";
    const err = await rejection(kubeRequest(kc, "GET", CM));
    expect((err as KubeApiError).statusCode).toBe(401);
    expect((err as KubeApiError).reason).toBe("Unauthorized");
    (kc.users[0] as { token?: string }).token = good;
    await expect(kubeRequest(kc, "GET", CM)).resolves.toBeTruthy();
  });

  it("gives up after timeoutMs with a TimeoutError, and the next request is answered", async () => {
    const kc = api.kubeConfig();
    api.faults.delayResponses(2_000, CM, "GET");
    const err = await rejection(kubeRequest(kc, "GET", CM, { timeoutMs: 100 }));
    expect(err.name).toBe("TimeoutError");
    api.faults.clear();
    await expect(kubeRequest(kc, "GET", CM)).resolves.toBeTruthy();
  });

  it("stops when the caller's signal aborts, with the signal's reason; an aborted signal sends nothing", async () => {
    const kc = api.kubeConfig();
    api.faults.delayResponses(2_000, CM, "GET");
    const ac = new AbortController();
    const pending = rejection(kubeRequest(kc, "GET", CM, { signal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    expect((await pending).name).toBe("AbortError");

    const before = api.faults.requestCount(`${CM}/x`);
    const reason = new Error("shutting down");
    const err = await rejection(kubeRequest(kc, "GET", `${CM}/x`, { signal: AbortSignal.abort(reason) }));
    expect(err).toBe(reason);
    expect(api.faults.requestCount(`${CM}/x`)).toBe(before);
  });
});

describe("kubeRequest against a bare HTTP server", () => {
  let server: Server;
  let connections = 0;
  let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => {};
  const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  let kubeconfigPath: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        answer(req, res, body);
      });
    });
    server.on("connection", () => {
      connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    // a trailing slash on the server URL is dropped
    kubeconfigPath = writeKubeconfig({ server: `http://127.0.0.1:${port}/`, token: "tok-1" }).path;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A fresh KubeConfig: its own connection pool. */
  const kc = () => loadKubeconfig(kubeconfigPath);

  it("sends the bearer token, accept and content-type, and the body as JSON", async () => {
    answer = (_req, res) => res.writeHead(201, { "content-type": "application/json" }).end('{"ok":true}');
    seen.length = 0;
    const out = await kubeRequest<{ ok: boolean }>(kc(), "PATCH", "/api/v1/namespaces/a/events/e", {
      body: { count: 2, lastTimestamp: "2026-01-01T00:00:00.000Z" },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(out).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe("PATCH");
    expect(seen[0]!.url).toBe("/api/v1/namespaces/a/events/e");
    expect(seen[0]!.headers.authorization).toBe("Bearer tok-1");
    expect(seen[0]!.headers.accept).toBe("application/json");
    expect(seen[0]!.headers["content-type"]).toBe("application/strategic-merge-patch+json");
    expect(JSON.parse(seen[0]!.body)).toEqual({ count: 2, lastTimestamp: "2026-01-01T00:00:00.000Z" });

    await kubeRequest(kc(), "POST", "/api/v1/namespaces/a/events", { body: { a: 1 } });
    expect(seen[1]!.headers["content-type"]).toBe("application/json");
    await kubeRequest(kc(), "GET", "/api/v1/namespaces/a/events");
    expect(seen[2]!.headers["content-type"]).toBeUndefined();
    expect(seen[2]!.body).toBe("");
  });

  it("keeps a path prefix of the server URL (an API proxy's)", async () => {
    answer = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}");
    seen.length = 0;
    const port = (server.address() as AddressInfo).port;
    const prefixed = writeKubeconfig({
      server: `http://127.0.0.1:${port}/k8s/clusters/c-1/`,
      token: "tok-1",
    });
    await kubeRequest(prefixed.kc, "GET", "/api/v1/namespaces/a/events", { query: { limit: 1 } });
    expect(seen.map((s) => s.url)).toEqual(["/k8s/clusters/c-1/api/v1/namespaces/a/events?limit=1"]);
  });

  it("answers {} for an empty 2xx body", async () => {
    answer = (_req, res) => res.writeHead(200).end();
    await expect(kubeRequest(kc(), "DELETE", "/api/v1/namespaces/a/events/e")).resolves.toEqual({});
  });

  it("a non-Status error body: KubeApiError with the status alone", async () => {
    answer = (_req, res) =>
      res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
    const err = await rejection(kubeRequest(kc(), "GET", "/api/v1/namespaces"));
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(502);
    expect((err as KubeApiError).reason).toBeUndefined();
    expect(err.message).toBe("GET /api/v1/namespaces: HTTP 502");
  });

  it("a malformed 2xx body is an error", async () => {
    answer = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{not json");
    await expect(kubeRequest(kc(), "GET", "/api/v1/namespaces")).rejects.toThrow(SyntaxError);
  });

  it("keeps its connections alive across requests: one pool per KubeConfig, not a connection per request", async () => {
    answer = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}");
    const k = kc();
    const before = connections;
    for (let i = 0; i < 20; i++) await kubeRequest(k, "GET", "/api/v1/namespaces");
    // undici's pool opens a second connection for the second request (the first is not yet back in the pool)
    expect(connections - before).toBeLessThanOrEqual(2);
  });
});
