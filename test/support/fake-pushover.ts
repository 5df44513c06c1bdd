// A stand-in Pushover Messages API (https://pushover.net/api) on a real HTTP server: POST /1/messages.json with a
// form (application/x-www-form-urlencoded): `token` must be a registered application token and `user` a registered
// user/group key (both 30 letters and digits), `message` non-empty and at most 1024 characters, `title` ≤ 250,
// `url` ≤ 512, `url_title` ≤ 100, `priority` -2 … 2 (2 needs `retry` ≥ 30 and `expire` ≤ 10800). Success:
// 200 {"status":1,"request":<uuid>} with X-Limit-App-* headers; errors: 4xx {"status":0,"errors":[…]} naming the
// field. It can be told to fail the next request (status, Retry-After, an error echoing the token) or to answer late
// and drop it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakePushoverMessage {
  form: Record<string, string>;
  raw: string;
}

export type FakePushoverFailure = QueuedFailure<{ error?: string }>;

const KEY = /^[A-Za-z0-9]{30}$/;

export class FakePushover extends StandInApi<FakePushoverFailure> {
  readonly messages: FakePushoverMessage[] = [];
  readonly received: string[] = [];
  readonly #tokens = new Set<string>();
  readonly #users = new Set<string>();

  private constructor(server: FakeHttpServer) {
    super(server);
  }

  static async start(opts: { token: string; users: string[] }): Promise<FakePushover> {
    const self = await StandInApi.serve((server) => new FakePushover(server));
    self.#tokens.add(opts.token);
    for (const u of opts.users) self.#users.add(u);
    return self;
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
    const request = randomUUID();
    const reply = (status: number, json: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify({ ...json, request }));
    };
    const invalid = (field: string, error: string) =>
      reply(400, { [field]: "invalid", errors: [error], status: 0 });
    const failed = await answerQueuedFailure(this.failures, {
      late: () => reply(504, { status: 0, errors: ["timeout"] }),
      failed: (f, headers) =>
        reply(f.status, { status: 0, errors: [f.error ?? `failed with ${f.status}`] }, headers),
    });
    if (failed) return;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== "/1/messages.json") return reply(404, { status: 0, errors: ["not found"] });
    if (req.method !== "POST") return reply(405, { status: 0, errors: ["method not allowed"] });
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
      return reply(400, { status: 0, errors: ["expected a form"] });
    const form = Object.fromEntries(new URLSearchParams(raw));
    const len = (k: string) => Array.from(form[k] ?? "").length;
    if (!KEY.test(form.token ?? "") || !this.#tokens.has(form.token ?? ""))
      return invalid("token", "application token is invalid");
    if (!KEY.test(form.user ?? "") || !this.#users.has(form.user ?? ""))
      return invalid("user", "user identifier is not a valid user, group, or subscribed user key");
    if (!form.message?.trim()) return invalid("message", "message cannot be blank");
    if (len("message") > 1024) return invalid("message", "message is too long (1024 characters maximum)");
    if (len("title") > 250) return invalid("title", "title is too long (250 characters maximum)");
    if (len("url") > 512) return invalid("url", "url is too long (512 characters maximum)");
    if (len("url_title") > 100) return invalid("url_title", "url_title is too long (100 characters maximum)");
    if (form.priority !== undefined) {
      const p = Number(form.priority);
      if (!Number.isInteger(p) || p < -2 || p > 2) return invalid("priority", "priority is invalid");
      if (p === 2 && !(Number(form.retry) >= 30))
        return invalid("retry", "retry must be at least 30 seconds");
      if (p === 2 && !(Number(form.expire) > 0 && Number(form.expire) <= 10800))
        return invalid("expire", "expire must be at most 10800 seconds");
    }
    this.messages.push({ form, raw });
    reply(
      200,
      { status: 1 },
      { "x-limit-app-limit": "10000", "x-limit-app-remaining": String(10000 - this.messages.length) },
    );
  }
}
