// A stand-in Google Chat incoming webhook on a real HTTP server, validating requests as developers.google.com/chat
// documents them: POST /v1/spaces/<space>/messages?key=<key>&token=<token> (wrong key/token: 401 UNAUTHENTICATED;
// unknown space: 404 NOT_FOUND), a JSON Message (400 INVALID_ARGUMENT otherwise) with text (≤ 4096 characters) and/or
// cards/cardsV2 (cardsV2 entries {cardId, card} with a card of sections[].widgets[] or a header), thread.threadKey
// with messageReplyOption REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD or REPLY_MESSAGE_OR_FAIL. Answers the created message
// {name, text, thread: {name, threadKey}}; posts with the same threadKey land in the same thread. Errors are
// {error: {code, message, status}}. It can be told to fail the next request (status, Retry-After, a message echoing
// the token) or to answer late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
  sendJson,
} from "./fakes/http-fake.ts";

export interface FakeChatMessage {
  name: string;
  space: string;
  thread: string;
  threadKey?: string;
  body: Record<string, unknown>;
  raw: string;
}

export type FakeChatFailure = QueuedFailure<{ message?: string }>;

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export class FakeGoogleChat extends StandInApi<FakeChatFailure> {
  readonly messages: FakeChatMessage[] = [];
  readonly received: string[] = [];
  readonly #spaces = new Map<string, { key: string; token: string }>();
  readonly #threads = new Map<string, string>();
  #next = 1;

  private constructor(server: FakeHttpServer) {
    super(server);
  }

  static async start(): Promise<FakeGoogleChat> {
    return StandInApi.serve((server) => new FakeGoogleChat(server));
  }

  addSpace(space: string, key: string, token: string): string {
    this.#spaces.set(space, { key, token });
    return `${this.server.url}/v1/spaces/${space}/messages?key=${key}&token=${token}`;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const error = (code: number, message: string, headers: Record<string, string> = {}) =>
      sendJson(res, code, { error: { code, message, status: STATUS[code] ?? "UNKNOWN" } }, headers);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "Deadline exceeded"),
      failed: (f, headers) => error(f.status, f.message ?? "failed", headers),
    });
    if (failed) return;
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/v1\/spaces\/([^/]+)\/messages$/.exec(url.pathname);
    const space = m ? this.#spaces.get(m[1]!) : undefined;
    if (!m || !space) return error(404, "Requested entity was not found.");
    if (url.searchParams.get("key") !== space.key || url.searchParams.get("token") !== space.token) {
      return error(401, "Request had invalid authentication credentials.");
    }
    if (req.method !== "POST") return error(400, "Only POST is supported");
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "Invalid JSON payload received.");
    }
    const text = p.text;
    if (text !== undefined && (typeof text !== "string" || [...text].length > 4096))
      return error(400, "Message text is invalid or too long.");
    if (!text && !p.cards && !p.cardsV2) return error(400, "Message cannot be empty.");
    if (p.cardsV2 !== undefined) {
      const ok =
        Array.isArray(p.cardsV2) &&
        p.cardsV2.every((c) => {
          const card = (c as { card?: Record<string, unknown> }).card;
          return (
            card && typeof card === "object" && (Array.isArray(card.sections) || card.header !== undefined)
          );
        });
      if (!ok)
        return error(400, 'Invalid JSON payload received. Unknown name or invalid card in "cards_v2".');
    }
    const threadKey = (p.thread as { threadKey?: string } | undefined)?.threadKey;
    const option = url.searchParams.get("messageReplyOption");
    if (
      threadKey &&
      !["REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", "REPLY_MESSAGE_OR_FAIL"].includes(String(option))
    ) {
      return error(400, "threadKey needs messageReplyOption");
    }
    const spaceName = `spaces/${m[1]}`;
    let thread = threadKey ? this.#threads.get(`${spaceName}/${threadKey}`) : undefined;
    if (!thread) {
      thread = `${spaceName}/threads/t${this.#next}`;
      if (threadKey) this.#threads.set(`${spaceName}/${threadKey}`, thread);
    }
    const message: FakeChatMessage = {
      name: `${spaceName}/messages/m${this.#next++}`,
      space: spaceName,
      thread,
      body: p,
      raw,
    };
    if (threadKey) message.threadKey = threadKey;
    this.messages.push(message);
    sendJson(res, 200, { name: message.name, text: text ?? "", thread: { name: thread, threadKey } });
  }
}
