// The fake Slack API itself: it must refuse what Slack refuses, or the sink tests prove nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlack } from "../../support/fake-slack.ts";

describe("fake Slack Web API", () => {
  let slack: FakeSlack;
  const call = async (method: string, body: string | object, headers: Record<string, string> = {}) => {
    const json = typeof body !== "string";
    const res = await fetch(`${slack.apiURL}${method}`, {
      method: "POST",
      headers: {
        "content-type": json ? "application/json" : "application/x-www-form-urlencoded",
        ...headers,
      },
      body: json ? JSON.stringify(body) : body,
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const auth = () => ({ authorization: `Bearer ${slack.token}` });

  beforeAll(async () => {
    slack = await FakeSlack.start({ channels: [{ name: "alerts" }], listPageSize: 2 });
    for (let i = 0; i < 4; i++) slack.addChannel({ name: `c${i}` });
    slack.addChannel({ name: "secret", private: true, member: false });
  });
  afterAll(() => slack.close());

  it("authenticates by Bearer header or token field; JSON bodies need the header", async () => {
    expect((await call("chat.postMessage", "channel=alerts&text=x")).body.error).toBe("not_authed");
    expect(
      (await call("chat.postMessage", "channel=alerts&text=x", { authorization: "Bearer xoxb-bad" })).body
        .error,
    ).toBe("invalid_auth");
    expect((await call("chat.postMessage", `token=${slack.token}&channel=alerts&text=x`)).body.ok).toBe(true);
    expect(
      (await call("chat.postMessage", { token: slack.token, channel: "alerts", text: "x" })).body.error,
    ).toBe("not_authed");
    expect((await call("chat.postMessage", { channel: "alerts", text: "x" }, auth())).body.ok).toBe(true);
  });

  it("validates postMessage arguments", async () => {
    const post = (args: string) => call("chat.postMessage", args, auth()).then((r) => r.body);
    expect((await post("text=x")).error).toBe("channel_not_found");
    expect((await post("channel=secret&text=x")).error).toBe("channel_not_found");
    expect((await post("channel=alerts")).error).toBe("no_text");
    expect((await post("channel=alerts&blocks=%7B%7D")).error).toBe("invalid_blocks");
    expect((await post("channel=alerts&blocks=not-json")).error).toBe("invalid_blocks_format");
    expect((await post("channel=alerts&text=x&thread_ts=abc")).error).toBe("invalid_thread_ts");
    expect((await post("channel=alerts&text=x&thread_ts=1.000001")).error).toBe("thread_not_found");
    expect((await post("channel=alerts&text=x&metadata=%7B%7D")).error).toBe("invalid_metadata_format");
    const ok = await post("channel=%23alerts&text=root");
    expect(ok).toMatchObject({
      ok: true,
      channel: slack.channel("alerts").id,
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
  });

  it("paginates conversations.list with cursors and rejects bad cursors", async () => {
    const names: string[] = [];
    let cursor = "";
    let pages = 0;
    do {
      const r = await call(
        "conversations.list",
        `limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        auth(),
      );
      names.push(...(r.body.channels as { name: string }[]).map((c) => c.name));
      cursor = (r.body.response_metadata as { next_cursor: string }).next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(names).toEqual(["alerts", "c0", "c1", "c2", "c3"]);
    expect((await call("conversations.list", "cursor=garbage", auth())).body.error).toBe("invalid_cursor");
  });

  it("scripted failures: 429 with Retry-After, API errors", async () => {
    slack.fail("chat.postMessage", { status: 429, retryAfterSec: 3 });
    const r = await call("chat.postMessage", "channel=alerts&text=x", auth());
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("3");
    slack.fail("*", { error: "not_in_channel" });
    expect((await call("chat.update", "channel=x", auth())).body.error).toBe("not_in_channel");
  });
});
