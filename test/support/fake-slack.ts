// A fake Slack Web API on a real HTTP server, validating requests the way docs.slack.dev documents them:
// Authorization: Bearer <token> (or a `token` form field; JSON bodies need the header), form-encoded or JSON
// bodies, HTTP 200 with {ok:false,error} for API errors, 429 + Retry-After when rate limited.
// Methods: chat.postMessage, chat.update, conversations.list (cursor-paginated), conversations.history,
// conversations.replies. Records every message per channel (ts, thread_ts, updates) so tests can assert the
// exact thread contents in order, and can be told to fail (API errors, 429, 5xx, resets, slow answers, down).
import type { IncomingMessage, ServerResponse } from "node:http";
import { cursorPage } from "./fakes/cursor-page.ts";
import { type DownMode, FakeHttpServer, sendJson, sleep } from "./fakes/http-fake.ts";
import { SlackArgs } from "./fakes/slack-args.ts";

export interface FakeSlackChannel {
  id: string;
  name: string;
  member: boolean;
  private: boolean;
  archived: boolean;
}

export interface FakeSlackContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface FakeSlackMessage extends FakeSlackContent {
  channel: string;
  ts: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Contents applied by chat.update, in order. */
  updates: FakeSlackContent[];
}

export type FakeSlackFailure =
  | { error: string } // {ok:false,error}
  | { status: number; retryAfterSec?: number; body?: string } // an HTTP error status (429 with Retry-After)
  | { reset: true } // connection reset before answering; the call is not processed
  | { acceptThenDelayMs: number } // processed, but the answer comes late (client timeout after Slack took it)
  | { delayMs: number }; // answered late, then processed normally

export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
  contentType: string;
  ok?: boolean;
  error?: string;
}

export class FakeSlack {
  readonly token: string;
  readonly calls: FakeSlackCall[] = [];
  /** conversations.list page size when the client asks for more (forces pagination in tests). */
  listPageSize: number;
  readonly #server: FakeHttpServer;
  readonly #channels: FakeSlackChannel[] = [];
  readonly #messages = new Map<string, FakeSlackMessage[]>();
  readonly #failures: { method: string; failure: FakeSlackFailure; times: number }[] = [];
  #lastMicros = 0;
  #nextId = 1;

  private constructor(server: FakeHttpServer, token: string, listPageSize: number) {
    this.#server = server;
    this.token = token;
    this.listPageSize = listPageSize;
  }

  static async start(
    opts: {
      token?: string;
      channels?: Array<Partial<FakeSlackChannel> & { name: string }>;
      listPageSize?: number;
    } = {},
  ): Promise<FakeSlack> {
    let self: FakeSlack | undefined;
    const server = await FakeHttpServer.start((req, body, res) => self!.#handle(req, body, res));
    self = new FakeSlack(server, opts.token ?? "xoxb-fake-1234-5678-abcdefghijkl", opts.listPageSize ?? 100);
    for (const c of opts.channels ?? []) self.addChannel(c);
    return self;
  }

  /** What to put in the service's `apiURL`. */
  get apiURL(): string {
    return `${this.#server.url}/api/`;
  }

  get server(): FakeHttpServer {
    return this.#server;
  }

  addChannel(c: Partial<FakeSlackChannel> & { name: string }): FakeSlackChannel {
    const channel: FakeSlackChannel = {
      id: c.id ?? `C${String(this.#nextId++).padStart(9, "0")}`,
      name: c.name,
      member: c.member ?? true,
      private: c.private ?? false,
      archived: c.archived ?? false,
    };
    this.#channels.push(channel);
    this.#messages.set(channel.id, []);
    return channel;
  }

  channel(nameOrId: string): FakeSlackChannel {
    const c = this.#findChannel(nameOrId);
    if (!c) throw new Error(`fake slack: no channel ${nameOrId}`);
    return c;
  }

  /** Every message in a channel, in post order. */
  allMessages(nameOrId: string): FakeSlackMessage[] {
    return [...(this.#messages.get(this.channel(nameOrId).id) ?? [])];
  }

  /** Top-level messages in a channel (thread roots and plain messages), in post order. */
  messages(nameOrId: string): FakeSlackMessage[] {
    return this.allMessages(nameOrId).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  }

  /** A thread: the root, then its replies in order. */
  thread(nameOrId: string, rootTs: string): FakeSlackMessage[] {
    const all = this.allMessages(nameOrId);
    const root = all.find((m) => m.ts === rootTs);
    if (!root) throw new Error(`fake slack: no message ${rootTs} in ${nameOrId}`);
    return [root, ...all.filter((m) => m.thread_ts === rootTs && m.ts !== rootTs)];
  }

  /** A message's content after its updates. */
  static current(m: FakeSlackMessage): FakeSlackContent {
    return (
      m.updates.at(-1) ?? {
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        ...(m.attachments ? { attachments: m.attachments } : {}),
      }
    );
  }

  /** Makes the next `times` calls of `method` ("*" = any) fail this way. */
  fail(method: string, failure: FakeSlackFailure, times = 1): void {
    this.#failures.push({ method, failure, times });
  }

  down(ms: number, mode: DownMode = "refuse"): Promise<void> {
    return this.#server.down(ms, mode);
  }

  /** Back up before the down period ends. */
  up(): Promise<void> {
    return this.#server.up();
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  #findChannel(nameOrId: string): FakeSlackChannel | undefined {
    const name = nameOrId.replace(/^#/, "");
    return this.#channels.find((c) => c.id === nameOrId) ?? this.#channels.find((c) => c.name === name);
  }

  #nextTs(): string {
    this.#lastMicros = Math.max(this.#lastMicros + 1, Date.now() * 1000);
    return `${Math.floor(this.#lastMicros / 1e6)}.${String(this.#lastMicros % 1e6).padStart(6, "0")}`;
  }

  #takeFailure(method: string): FakeSlackFailure | undefined {
    const i = this.#failures.findIndex((f) => f.method === method || f.method === "*");
    if (i < 0) return undefined;
    const f = this.#failures[i]!;
    if (--f.times <= 0) this.#failures.splice(i, 1);
    return f.failure;
  }

  async #handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const m = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { ok: false, error: "unknown_method" });
    const method = m[1]!;
    let args: SlackArgs;
    try {
      args = SlackArgs.parse(req, body, url);
    } catch (err) {
      return sendJson(res, 200, { ok: false, error: (err as Error).message });
    }
    const call: FakeSlackCall = {
      method,
      args: args.raw,
      contentType: String(req.headers["content-type"] ?? ""),
    };
    this.calls.push(call);
    const answer = (
      status: number,
      result: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      call.ok = result.ok === true;
      if (typeof result.error === "string") call.error = result.error;
      sendJson(res, status, result, headers);
    };

    // Authentication comes first, as on Slack.
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : args.string("token");
    if (!token) return answer(200, { ok: false, error: "not_authed" });
    if (token !== this.token) return answer(200, { ok: false, error: "invalid_auth" });
    if (args.isJson && !auth) return answer(200, { ok: false, error: "not_authed" });

    const failure = this.#takeFailure(method);
    if (failure) {
      if ("reset" in failure) return void req.socket.resetAndDestroy();
      if ("error" in failure) return answer(200, { ok: false, error: failure.error });
      if ("status" in failure) {
        call.error = `http_${failure.status}`;
        // Slack answers a rate limit with a JSON error body; other HTTP failures come from its edge as text.
        const rateLimited = failure.status === 429 && failure.body === undefined;
        const headers: Record<string, string> = {
          "content-type": rateLimited ? "application/json; charset=utf-8" : "text/plain",
        };
        if (failure.retryAfterSec !== undefined) headers["retry-after"] = String(failure.retryAfterSec);
        res.writeHead(failure.status, headers);
        return void res.end(
          rateLimited ? JSON.stringify({ ok: false, error: "ratelimited" }) : (failure.body ?? ""),
        );
      }
      if ("delayMs" in failure) await sleep(failure.delayMs);
    }
    const result = this.#dispatch(method, args);
    if (failure && "acceptThenDelayMs" in failure) await sleep(failure.acceptThenDelayMs);
    if (res.destroyed || req.socket.destroyed) return;
    answer(200, result);
  }

  #dispatch(method: string, args: SlackArgs): Record<string, unknown> {
    switch (method) {
      case "chat.postMessage":
        return this.#postMessage(args);
      case "chat.update":
        return this.#update(args);
      case "conversations.list":
        return this.#list(args);
      case "conversations.history":
        return this.#history(args);
      case "conversations.replies":
        return this.#replies(args);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  #content(args: SlackArgs): FakeSlackContent | { error: string } {
    const text = args.string("text") ?? "";
    const blocks = args.jsonArray("blocks", "invalid_blocks");
    if ("error" in blocks) return blocks;
    const attachments = args.jsonArray("attachments", "invalid_attachments");
    if ("error" in attachments) return attachments;
    if (
      blocks.value &&
      (blocks.value.length > 50 ||
        blocks.value.some((b) => typeof (b as { type?: unknown })?.type !== "string"))
    ) {
      return { error: "invalid_blocks" };
    }
    if (!text && !blocks.value?.length && !attachments.value?.length) return { error: "no_text" };
    if (text.length > 40_000) return { error: "msg_too_long" };
    const content: FakeSlackContent = { text };
    if (blocks.value?.length) content.blocks = blocks.value;
    if (attachments.value?.length) content.attachments = attachments.value;
    return content;
  }

  #postMessage(args: SlackArgs): Record<string, unknown> {
    const channelArg = args.string("channel");
    if (!channelArg) return { ok: false, error: "channel_not_found" };
    const channel = this.#findChannel(channelArg);
    if (!channel || (channel.private && !channel.member)) return { ok: false, error: "channel_not_found" };
    if (channel.archived) return { ok: false, error: "is_archived" };
    if (!channel.member) return { ok: false, error: "not_in_channel" };
    const content = this.#content(args);
    if ("error" in content) return { ok: false, error: content.error };
    const msgs = this.#messages.get(channel.id)!;
    const msg: FakeSlackMessage = { channel: channel.id, ts: "", ...content, updates: [] };
    const threadTs = args.string("thread_ts");
    if (threadTs !== undefined && threadTs !== "") {
      if (!/^\d+\.\d{6}$/.test(threadTs)) return { ok: false, error: "invalid_thread_ts" };
      const parent = msgs.find((x) => x.ts === threadTs);
      if (!parent) return { ok: false, error: "thread_not_found" };
      msg.thread_ts = parent.thread_ts ?? parent.ts;
      if (args.bool("reply_broadcast")) msg.reply_broadcast = true;
    }
    const metadata = args.jsonObject("metadata");
    if (metadata === "invalid") return { ok: false, error: "invalid_metadata_format" };
    if (metadata) {
      if (
        typeof metadata.event_type !== "string" ||
        typeof metadata.event_payload !== "object" ||
        metadata.event_payload === null
      ) {
        return { ok: false, error: "invalid_metadata_format" };
      }
      msg.metadata = metadata as FakeSlackMessage["metadata"];
    }
    const username = args.string("username");
    if (username) msg.username = username;
    const emoji = args.string("icon_emoji");
    if (emoji) {
      if (!/^:[^:\s]+:$/.test(emoji)) return { ok: false, error: "invalid_arguments" };
      msg.icon_emoji = emoji;
    }
    const iconUrl = args.string("icon_url");
    if (iconUrl) {
      if (!URL.canParse(iconUrl)) return { ok: false, error: "invalid_arguments" };
      msg.icon_url = iconUrl;
    }
    msg.ts = this.#nextTs();
    msgs.push(msg);
    return {
      ok: true,
      channel: channel.id,
      ts: msg.ts,
      message: { type: "message", text: msg.text, ts: msg.ts },
    };
  }

  #update(args: SlackArgs): Record<string, unknown> {
    const channel = this.#channels.find((c) => c.id === args.string("channel"));
    if (!channel) return { ok: false, error: "channel_not_found" };
    const ts = args.string("ts");
    if (!ts) return { ok: false, error: "message_not_found" };
    const msg = this.#messages.get(channel.id)!.find((m) => m.ts === ts);
    if (!msg) return { ok: false, error: "message_not_found" };
    const content = this.#content(args);
    if ("error" in content) return { ok: false, error: content.error };
    msg.updates.push(content);
    return { ok: true, channel: channel.id, ts, text: content.text };
  }

  #list(args: SlackArgs): Record<string, unknown> {
    const types = (args.string("types") ?? "public_channel").split(",").map((t) => t.trim());
    const excludeArchived = args.bool("exclude_archived");
    const visible = this.#channels.filter(
      (c) =>
        (c.private ? types.includes("private_channel") && c.member : types.includes("public_channel")) &&
        !(excludeArchived && c.archived),
    );
    const limit = Math.min(Number(args.string("limit") ?? 100) || 100, 1000, this.listPageSize);
    const page = cursorPage(visible, args.string("cursor"), limit);
    if ("error" in page) return { ok: false, error: page.error };
    return {
      ok: true,
      channels: page.items.map((c) => ({
        id: c.id,
        name: c.name,
        is_channel: true,
        is_private: c.private,
        is_archived: c.archived,
        is_member: c.member,
      })),
      response_metadata: { next_cursor: page.next },
    };
  }

  #readableChannel(args: SlackArgs): FakeSlackChannel | { error: string } {
    const channel = this.#channels.find((c) => c.id === args.string("channel"));
    if (!channel || (channel.private && !channel.member)) return { error: "channel_not_found" };
    if (!channel.member) return { error: "not_in_channel" };
    return channel;
  }

  #inWindow(args: SlackArgs): (m: FakeSlackMessage) => boolean {
    const oldest = Number(args.string("oldest") ?? 0);
    const latest = Number(args.string("latest") ?? Number.POSITIVE_INFINITY);
    const inclusive = args.bool("inclusive");
    return (m) => {
      const t = Number(m.ts);
      return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
    };
  }

  #view(m: FakeSlackMessage, withMetadata: boolean): Record<string, unknown> {
    const cur = FakeSlack.current(m);
    return {
      type: "message",
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.reply_broadcast ? { subtype: "thread_broadcast" } : {}),
      ...cur,
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  #history(args: SlackArgs): Record<string, unknown> {
    const channel = this.#readableChannel(args);
    if ("error" in channel) return { ok: false, error: channel.error };
    const inWindow = this.#inWindow(args);
    const newestFirst = this.#messages
      .get(channel.id)!
      .filter((m) => (!m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast) && inWindow(m))
      .reverse();
    return this.#messagePage(args, newestFirst, 100, 999);
  }

  #replies(args: SlackArgs): Record<string, unknown> {
    const channel = this.#readableChannel(args);
    if ("error" in channel) return { ok: false, error: channel.error };
    const ts = args.string("ts");
    const all = this.#messages.get(channel.id)!;
    const root = all.find((m) => m.ts === ts);
    if (!ts || !root) return { ok: false, error: "thread_not_found" };
    const rootTs = root.thread_ts ?? root.ts;
    const inWindow = this.#inWindow(args);
    const thread = all.filter((m) => (m.ts === rootTs || m.thread_ts === rootTs) && inWindow(m));
    return this.#messagePage(args, thread, 1000, 1000);
  }

  /** One cursor page of messages as conversations.history / .replies answer it (limit default and cap per method). */
  #messagePage(
    args: SlackArgs,
    messages: FakeSlackMessage[],
    defaultLimit: number,
    maxLimit: number,
  ): Record<string, unknown> {
    const limit = Math.min(Number(args.string("limit") ?? defaultLimit) || defaultLimit, maxLimit);
    const page = cursorPage(messages, args.string("cursor"), limit);
    if ("error" in page) return { ok: false, error: page.error };
    const meta = args.bool("include_all_metadata");
    return {
      ok: true,
      messages: page.items.map((m) => this.#view(m, meta)),
      has_more: page.next !== "",
      response_metadata: { next_cursor: page.next },
    };
  }
}
