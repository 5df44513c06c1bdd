// A stand-in Telegram Bot API (POST /bot<token>/sendMessage, JSON) on a real HTTP server, validating requests as
// core.telegram.org/bots/api documents them: the token (401 Unauthorized), chat_id (an integer id of a known chat or
// "@username" of a known public channel: 400 chat not found), text 1–4096 characters after entity parsing (400
// message text is empty / message is too long), parse_mode Markdown|MarkdownV2|HTML with well-formed entities
// (400 can't parse entities), message_thread_id an existing forum topic (400 message thread not found),
// reply_parameters.message_id an existing message of the chat unless allow_sending_without_reply (400 message to be
// replied not found). Errors are {ok:false,error_code,description}; 429 carries parameters.retry_after. It can be
// told to fail the next request (status, retry_after, a description echoing the token) or to answer it late and
// drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
  sendJson,
} from "./fakes/http-fake.ts";

export interface FakeTelegramMessage {
  message_id: number;
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  message_thread_id?: number;
  reply_to?: number;
}

export type FakeTelegramFailure = QueuedFailure<{ description?: string }>;

const MODES = ["Markdown", "MarkdownV2", "HTML"];

export class FakeTelegram extends StandInApi<FakeTelegramFailure> {
  readonly token: string;
  /** Accepted messages, in order. */
  readonly messages: FakeTelegramMessage[] = [];
  /** Raw body of every sendMessage request, in order. */
  readonly received: string[] = [];
  readonly #chats: Map<string, { id: number; username?: string; topics: Set<number> }> = new Map();
  #nextId = 100;

  private constructor(server: FakeHttpServer, token: string) {
    super(server);
    this.token = token;
  }

  static async start(opts: { token: string }): Promise<FakeTelegram> {
    return StandInApi.serve((server) => new FakeTelegram(server, opts.token));
  }

  get apiURL(): string {
    return this.server.url;
  }

  addChat(c: { id: number; username?: string; topics?: number[] }): void {
    const chat = {
      id: c.id,
      topics: new Set(c.topics ?? []),
      ...(c.username ? { username: c.username } : {}),
    };
    this.#chats.set(String(c.id), chat);
    if (c.username) this.#chats.set(`@${c.username.toLowerCase()}`, chat);
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const error = (code: number, description: string, extra: Record<string, unknown> = {}) =>
      sendJson(res, code, { ok: false, error_code: code, description, ...extra });
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (!m) return error(404, "Not Found");
    if (m[1] !== this.token) return error(401, "Unauthorized");
    if (m[2] !== "sendMessage") return error(404, "Not Found: method not found");
    if (req.method !== "POST") return error(405, "Method Not Allowed");
    const raw = body.toString("utf8");
    this.received.push(raw);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "Gateway Timeout"),
      failed: (f) => {
        const extra = f.retryAfterSec !== undefined ? { parameters: { retry_after: f.retryAfterSec } } : {};
        return error(
          f.status,
          f.description ??
            (f.status === 429
              ? `Too Many Requests: retry after ${f.retryAfterSec ?? 1}`
              : "Internal Server Error"),
          extra,
        );
      },
    });
    if (failed) return;
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error(400, "Bad Request: unsupported content type");
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "Bad Request: can't parse JSON");
    }
    const key = typeof p.chat_id === "string" ? p.chat_id.toLowerCase() : String(p.chat_id);
    const chat = this.#chats.get(key);
    if (p.chat_id === undefined || p.chat_id === "") return error(400, "Bad Request: chat_id is empty");
    if (!chat) return error(400, "Bad Request: chat not found");
    const text = typeof p.text === "string" ? p.text : "";
    if (!text.trim()) return error(400, "Bad Request: message text is empty");
    if ([...text].length > 4096) return error(400, "Bad Request: message is too long");
    if (p.parse_mode !== undefined && !MODES.includes(String(p.parse_mode)))
      return error(400, "Bad Request: unsupported parse_mode");
    if (p.parse_mode === "Markdown" && !legacyMarkdownOk(text)) {
      return error(400, "Bad Request: can't parse entities: Can't find end of the entity");
    }
    const thread = p.message_thread_id;
    if (thread !== undefined && (typeof thread !== "number" || !chat.topics.has(thread))) {
      return error(400, "Bad Request: message thread not found");
    }
    const reply = p.reply_parameters as
      | { message_id?: number; allow_sending_without_reply?: boolean }
      | undefined;
    let replyTo: number | undefined;
    if (reply) {
      const exists = this.messages.some(
        (x) => x.message_id === reply.message_id && String(x.chat_id) === String(chat.id),
      );
      if (!exists && !reply.allow_sending_without_reply)
        return error(400, "Bad Request: message to be replied not found");
      if (exists) replyTo = reply.message_id;
    }
    const message: FakeTelegramMessage = { message_id: this.#nextId++, chat_id: chat.id, text };
    if (typeof p.parse_mode === "string") message.parse_mode = p.parse_mode;
    if (typeof thread === "number") message.message_thread_id = thread;
    if (replyTo !== undefined) message.reply_to = replyTo;
    this.messages.push(message);
    sendJson(res, 200, {
      ok: true,
      result: {
        message_id: message.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chat.id },
        text,
      },
    });
  }
}

/** Telegram's legacy Markdown: *bold*, _italic_, `code`, ```pre``` and [text](url) must be closed. */
function legacyMarkdownOk(text: string): boolean {
  const stripped = text
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`]*`/g, "")
    .replace(/\[[^\]]*\]\([^)]*\)/g, "");
  if (/```|`/.test(stripped)) return false;
  const count = (c: string) => (stripped.match(new RegExp(`\\${c}`, "g")) ?? []).length;
  return count("*") % 2 === 0 && count("_") % 2 === 0;
}
