// /healthz fails (503, naming why) only when a liveness check says the process cannot recover by itself, e.g. a
// Redis client that gave up reconnecting for good; otherwise it is 200 whatever /readyz says.
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { type HttpServer, startHttpServer } from "../../src/server/http-server.ts";

describe("/healthz liveness", () => {
  const servers: HttpServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it("is 200 while the liveness check passes and 503 naming the reason when it fails", async () => {
    let dead: string | undefined;
    const http = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      registry: new Registry(),
      readiness: [{ name: "redis", check: () => "Redis not reachable" }],
      liveness: () => dead,
    });
    servers.push(http);
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${http.port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect(await get("/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect((await get("/readyz")).status).toBe(503);
    dead = "1 Redis connection(s) closed for good";
    expect(await get("/healthz")).toEqual({
      status: 503,
      body: "not alive: 1 Redis connection(s) closed for good\n",
    });
  });
});
