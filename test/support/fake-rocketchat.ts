// A stand-in Rocket.Chat REST API on a real HTTP server. POST /api/v1/login (form or JSON `user`, `password`; a
// wrong pair is 401 {"status":"error","error":"Unauthorized"}) answers {"status":"success","data":{authToken,
// userId}}. POST /api/v1/chat.postMessage needs X-Auth-Token and X-User-Id of a login (else 401 "You must be logged
// in to do this."), a JSON body with `roomId` or `channel` (#name, @user) naming a known room or user
// (400 {"success":false,"error":"[invalid-channel]"}), `text` or `attachments` (an array of objects; a field's title
// and value strings), text at most 5000 characters; success {"success":true,"message":{_id,…}}. It can be told to
// fail the next post (status, Retry-After, an error echoing the password) or to answer it late and drop it.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeRocketChatPost {
  body: Record<string, unknown>;
  raw: string;
}

export type FakeRocketChatFailure = QueuedFailure<{ error?: string }>;

export class FakeRocketChat extends StandInApi<FakeRocketChatFailure> {
  readonly posts: FakeRocketChatPost[] = [];
  /** Every chat.postMessage body received (accepted or not). */
  readonly received: string[] = [];
  logins = 0;
  readonly #user: string;
  readonly #password: string;
  readonly #rooms: Set<string>;
  readonly #sessions = new Map<string, string>();

  private constructor(server: FakeHttpServer, opts: { user: string; password: string; rooms: string[] }) {
    super(server);
    this.#user = opts.user;
    this.#password = opts.password;
    this.#rooms = new Set(opts.rooms);
  }

  static async start(opts: { user: string; password: string; rooms: string[] }): Promise<FakeRocketChat> {
    return StandInApi.serve((server) => new FakeRocketChat(server, opts));
  }

  get url(): string {
    return this.server.url;
  }

  reset(): void {
    this.posts.length = 0;
    this.received.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const reply = (status: number, json: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "POST") return reply(405, { success: false, error: "Method not allowed" });
    if (path === "/api/v1/login") {
      const type = String(req.headers["content-type"] ?? "");
      let creds: Record<string, unknown> = {};
      if (type.startsWith("application/x-www-form-urlencoded"))
        creds = Object.fromEntries(new URLSearchParams(raw));
      else if (type.startsWith("application/json"))
        creds = JSON.parse(raw || "{}") as Record<string, unknown>;
      if (creds.user !== this.#user || creds.password !== this.#password)
        return reply(401, { status: "error", error: "Unauthorized", message: "Unauthorized" });
      this.logins++;
      const token = randomBytes(24).toString("base64url");
      const userId = "rocketBotUserId01";
      this.#sessions.set(token, userId);
      return reply(200, {
        status: "success",
        data: { authToken: token, userId, me: { username: "rollouts" } },
      });
    }
    if (path !== "/api/v1/chat.postMessage") return reply(404, { success: false, error: "Not found" });
    this.received.push(raw);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => reply(504, { success: false, error: "timeout" }),
      failed: (f, headers) =>
        reply(f.status, { success: false, error: f.error ?? `failed with ${f.status}` }, headers),
    });
    if (failed) return;
    const token = String(req.headers["x-auth-token"] ?? "");
    if (!this.#sessions.has(token) || this.#sessions.get(token) !== req.headers["x-user-id"])
      return reply(401, { status: "error", message: "You must be logged in to do this." });
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return reply(400, { success: false, error: "Invalid content type" });
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return reply(400, { success: false, error: "Invalid JSON" });
    }
    const room =
      typeof msg.roomId === "string" ? msg.roomId : typeof msg.channel === "string" ? msg.channel : "";
    if (!room || !this.#rooms.has(room))
      return reply(400, { success: false, error: "[invalid-channel]", errorType: "invalid-channel" });
    const text = typeof msg.text === "string" ? msg.text : "";
    if (msg.attachments !== undefined) {
      const ok =
        Array.isArray(msg.attachments) &&
        msg.attachments.every(
          (a) =>
            a !== null &&
            typeof a === "object" &&
            ((a as { fields?: unknown }).fields === undefined ||
              (Array.isArray((a as { fields?: unknown }).fields) &&
                ((a as { fields: unknown[] }).fields as { title?: unknown; value?: unknown }[]).every(
                  (fl) => typeof fl.title === "string" && typeof fl.value === "string",
                ))),
        );
      if (!ok) return reply(400, { success: false, error: "Invalid attachments" });
    }
    if (!text.trim() && !(Array.isArray(msg.attachments) && msg.attachments.length))
      return reply(400, { success: false, error: "Message text or attachments required" });
    if (Array.from(text).length > 5000)
      return reply(400, { success: false, error: "error-message-size-exceeded" });
    this.posts.push({ body: msg, raw });
    reply(200, {
      success: true,
      ts: Date.now(),
      channel: room,
      message: { _id: randomBytes(9).toString("hex"), rid: room, msg: text, u: { username: "rollouts" } },
    });
  }
}
