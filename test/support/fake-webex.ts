// A stand-in Webex Messages API on a real HTTP server: POST /v1/messages with `Authorization: Bearer <token>`
// (else 401) and a JSON body holding exactly one of roomId / toPersonId / toPersonEmail and text or markdown of at
// most 7439 bytes (else 400); a room the bot is not in is 404 ("Could not find a room with provided ID."). Success:
// 200 with the created message (id, roomId or toPersonEmail, markdown, created). Errors:
// {"message", "errors": [{"description"}], "trackingId"}. It can be told to fail the next request (status,
// Retry-After, a message echoing the token) or to answer late and drop it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeWebexMessage {
  body: Record<string, unknown>;
  raw: string;
}

export type FakeWebexFailure = QueuedFailure<{ message?: string }>;

export class FakeWebex extends StandInApi<FakeWebexFailure> {
  readonly messages: FakeWebexMessage[] = [];
  readonly received: string[] = [];
  readonly #token: string;
  readonly #rooms: Set<string>;

  private constructor(server: FakeHttpServer, token: string, rooms: string[]) {
    super(server);
    this.#token = token;
    this.#rooms = new Set(rooms);
  }

  static async start(opts: { token: string; rooms: string[] }): Promise<FakeWebex> {
    return StandInApi.serve((server) => new FakeWebex(server, opts.token, opts.rooms));
  }

  get apiURL(): string {
    return this.server.url;
  }

  reset(): void {
    this.messages.length = 0;
    this.received.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const trackingId = `ROUTER_${randomUUID()}`;
    const reply = (status: number, json: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        "content-type": "application/json;charset=UTF-8",
        trackingid: trackingId,
        ...headers,
      });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, message: string, headers: Record<string, string> = {}) =>
      reply(status, { message, errors: [{ description: message }], trackingId }, headers);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "Gateway Timeout"),
      failed: (f, headers) => error(f.status, f.message ?? `failed with ${f.status}`, headers),
    });
    if (failed) return;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== "/v1/messages") return error(404, "The requested resource could not be found.");
    if (req.method !== "POST") return error(405, "Method not allowed");
    if (req.headers.authorization !== `Bearer ${this.#token}`)
      return error(401, "The request requires a valid access token set in the Authorization request header.");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error(415, "Content-Type must be application/json");
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "Unable to parse the request body");
    }
    const targets = ["roomId", "toPersonId", "toPersonEmail"].filter((k) => typeof msg[k] === "string");
    if (targets.length !== 1)
      return error(400, "Exactly one of roomId, toPersonId or toPersonEmail is required");
    const text =
      typeof msg.markdown === "string" ? msg.markdown : typeof msg.text === "string" ? msg.text : "";
    if (!text.trim()) return error(400, "Message text or markdown is required");
    if (Buffer.byteLength(text) > 7439) return error(400, "Message text cannot be longer than 7439 bytes");
    if (typeof msg.roomId === "string" && !this.#rooms.has(msg.roomId))
      return error(404, "Could not find a room with provided ID.");
    if (typeof msg.toPersonEmail === "string" && !/^\S+@\S+\.\S+$/.test(msg.toPersonEmail))
      return error(400, "Invalid email address");
    this.messages.push({ body: msg, raw });
    reply(200, { id: randomUUID(), ...msg, created: new Date().toISOString() });
  }
}
