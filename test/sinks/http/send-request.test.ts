// sendHttpRequest reads at most MAX_ANSWER_BYTES of an answer: an endpoint (a namespace's own, say) that streams
// without end within its timeout fails the delivery for good instead of filling the process's memory.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpDispatchers } from "../../../src/sinks/http/http-dispatchers.ts";
import { MAX_ANSWER_BYTES, sendHttpRequest } from "../../../src/sinks/http/send-request.ts";
import { DeliveryError } from "../../../src/sinks/sink.ts";
import { boundedAnswer } from "../../../src/sinks/slack/slack-web-client.ts";

describe("sendHttpRequest", () => {
  let server: Server | undefined;
  const dispatchers = new HttpDispatchers();
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  /** A server that answers 200 with `bytes` bytes (written in 64 KiB chunks as the client reads them). */
  async function answering(bytes: number): Promise<{ url: string; written: () => number }> {
    let written = 0;
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "x");
      const more = () => {
        while (written < bytes) {
          const n = Math.min(chunk.length, bytes - written);
          written += n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
            return void res.once("drain", more);
        }
        res.end();
      };
      res.on("close", () => res.destroy());
      more();
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, written: () => written };
  }

  it("reads an answer up to the limit", async () => {
    const { url } = await answering(1024 * 1024);
    const res = await sendHttpRequest({}, "test", { url, body: "{}", timeoutMs: 10_000 }, { dispatchers });
    expect(res.statusCode).toBe(200);
    expect(res.text.length).toBe(1024 * 1024);
  });

  it("an answer longer than the limit is a permanent failure, and the rest is not read", async () => {
    const endless = 1024 * 1024 * 1024; // 1 GiB: would be read in a few seconds on loopback
    const { url, written } = await answering(endless);
    const err = await sendHttpRequest(
      {},
      "webhook x",
      { url, body: "{}", timeoutMs: 60_000 },
      { dispatchers },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ code: "answer_too_large", transient: false });
    expect((err as Error).message).toBe(`webhook x: answer longer than ${MAX_ANSWER_BYTES} bytes: not read`);
    // the server could write little more than the limit and the socket buffers before the client stopped
    expect(written()).toBeLessThan(MAX_ANSWER_BYTES + 32 * 1024 * 1024);
  });

  it("the Slack client's answers are cut off at the limit too (a Slack-compatible apiURL)", async () => {
    let pulled = 0;
    const endless = new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          pulled += 1024 * 1024;
          c.enqueue(new Uint8Array(1024 * 1024));
        },
      }),
    );
    await expect(boundedAnswer(endless).text()).rejects.toThrow(
      `answer longer than ${MAX_ANSWER_BYTES} bytes`,
    );
    expect(pulled).toBeLessThan(MAX_ANSWER_BYTES + 8 * 1024 * 1024);
    const ok = boundedAnswer(new Response('{"ok":true}', { status: 200, headers: { "x-a": "1" } }));
    expect([ok.status, ok.headers.get("x-a"), await ok.text()]).toEqual([200, "1", '{"ok":true}']);
  });
});
