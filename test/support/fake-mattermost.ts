// A stand-in Mattermost API v4 on a real HTTP server, validating requests as the API reference documents them
// (https://api.mattermost.com): every call needs `Authorization: Bearer <token>` (else 401); errors are
// {id, message, detailed_error, request_id, status_code}.
//  - POST /api/v4/posts: JSON {channel_id (required), message, root_id, pending_post_id, props}; the channel must
//    exist (else 403, as Mattermost answers a channel the user cannot post to); message at most 16383 characters;
//    props.attachments an array of objects; root_id an existing root post of the same channel. 201 with the Post.
//    A create repeating a pending_post_id seen in the last 30 s answers the first post (Mattermost's
//    deduplication) unless `dedupPendingPostIds` is false.
//  - GET /api/v4/channels/{channel_id}/posts?since=<ms>: {order, posts} of the posts created or edited after
//    `since` (at most 1000).
//  - GET /api/v4/posts/{post_id}: the Post (404 for an unknown post).
//  - PUT /api/v4/posts/{post_id}/patch: JSON {message?, props?} replaces them (404 for an unknown post).
// It can be told to fail the next create (status, Retry-After, an error message echoing the token) or to take it
// and answer late (the client has given up by then).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type FakeHttpServer, type QueuedFailure, StandInApi, sleep } from "./fakes/http-fake.ts";

export const MATTERMOST_MESSAGE_MAX = 16383;
const DEDUP_WINDOW_MS = 30_000;
const SINCE_LIMIT = 1000;

export interface FakeMattermostPost {
  id: string;
  channel_id: string;
  root_id: string;
  message: string;
  props: Record<string, unknown>;
  pending_post_id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  /** Every patch applied, in order. */
  edits: { message: string; props: Record<string, unknown> }[];
}

export interface FakeMattermostCreate {
  body: Record<string, unknown>;
  raw: string;
}

export type FakeMattermostFailure = QueuedFailure<{ message?: string }>;

/** A Mattermost id: 26 characters of its base32 alphabet. */
export function mattermostId(): string {
  const alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";
  return Array.from(randomBytes(26), (b) => alphabet[b % 32]).join("");
}

export class FakeMattermost extends StandInApi<FakeMattermostFailure> {
  /** Accepted creates, in order (a deduplicated repeat is not one). */
  readonly creates: FakeMattermostCreate[] = [];
  /** Every create body received (accepted or not). */
  readonly received: string[] = [];
  /** Every request as "METHOD path". */
  readonly calls: string[] = [];
  readonly posts: FakeMattermostPost[] = [];
  dedupPendingPostIds = true;
  readonly #token: string;
  readonly #channels: Set<string>;
  readonly #userId = mattermostId();

  private constructor(server: FakeHttpServer, opts: { token: string; channels: string[] }) {
    super(server);
    this.#token = opts.token;
    this.#channels = new Set(opts.channels);
  }

  static async start(opts: { token: string; channels: string[] }): Promise<FakeMattermost> {
    return StandInApi.serve((server) => new FakeMattermost(server, opts));
  }

  get url(): string {
    return this.server.url;
  }

  /** Top-level posts of a channel, oldest first. */
  roots(channelId: string): FakeMattermostPost[] {
    return this.posts.filter((p) => p.channel_id === channelId && p.root_id === "");
  }

  /** Deletes a post (as a user would): reading or patching it then answers 404. */
  deletePost(id: string): void {
    const i = this.posts.findIndex((p) => p.id === id);
    if (i >= 0) this.posts.splice(i, 1);
  }

  reset(): void {
    this.creates.length = 0;
    this.received.length = 0;
    this.calls.length = 0;
    this.posts.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    this.calls.push(`${req.method} ${path}`);
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, id: string, message: string, headers: Record<string, string> = {}) =>
      reply(
        status,
        { id, message, detailed_error: "", request_id: mattermostId(), status_code: status },
        headers,
      );
    if (req.headers.authorization !== `Bearer ${this.#token}`)
      return error(
        401,
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
      );

    if (req.method === "POST" && path === "/api/v4/posts") {
      this.received.push(raw);
      const failure = this.failures.shift();
      if (failure && "status" in failure)
        return error(
          failure.status,
          "api.post.create_post.app_error",
          failure.message ?? `failed with ${failure.status}`,
          failure.retryAfterSec !== undefined ? { "retry-after": String(failure.retryAfterSec) } : {},
        );
      const answer = this.#create(req, raw);
      if (failure && "delayMs" in failure) await sleep(failure.delayMs); // taken, answered after the client gave up
      if ("error" in answer) return error(answer.status, answer.error, answer.message);
      return reply(answer.status, answer.post);
    }
    const list = /^\/api\/v4\/channels\/([^/]+)\/posts$/.exec(path);
    if (req.method === "GET" && list) {
      const channelId = decodeURIComponent(list[1]!);
      if (!this.#channels.has(channelId))
        return error(
          403,
          "api.context.permissions.app_error",
          "You do not have the appropriate permissions.",
        );
      const since = Number(url.searchParams.get("since") ?? "0");
      if (!Number.isInteger(since) || since < 0)
        return error(
          400,
          "api.context.invalid_url_param.app_error",
          "Invalid or missing since parameter in request URL.",
        );
      const hits = this.posts
        .filter((p) => p.channel_id === channelId && p.update_at > since)
        .slice(-SINCE_LIMIT)
        .reverse();
      return reply(200, {
        order: hits.map((p) => p.id),
        posts: Object.fromEntries(hits.map((p) => [p.id, this.#view(p)])),
        next_post_id: "",
        prev_post_id: "",
      });
    }
    const one = /^\/api\/v4\/posts\/([^/]+)$/.exec(path);
    if (req.method === "GET" && one) {
      const post = this.posts.find((p) => p.id === decodeURIComponent(one[1]!));
      if (!post) return error(404, "app.post.get.app_error", "Unable to get the post.");
      return reply(200, this.#view(post));
    }
    const patch = /^\/api\/v4\/posts\/([^/]+)\/patch$/.exec(path);
    if (req.method === "PUT" && patch) {
      const post = this.posts.find((p) => p.id === decodeURIComponent(patch[1]!));
      if (!post) return error(404, "app.post.get.app_error", "Unable to get the post.");
      const json = parseObject(req, raw);
      if (!json)
        return error(
          400,
          "api.context.invalid_body_param.app_error",
          "Invalid or missing patch in request body.",
        );
      if (json.message !== undefined && typeof json.message !== "string")
        return error(
          400,
          "api.context.invalid_body_param.app_error",
          "Invalid or missing message in request body.",
        );
      if (typeof json.message === "string" && Array.from(json.message).length > MATTERMOST_MESSAGE_MAX)
        return error(400, "model.post.is_valid.msg.app_error", "Invalid Message.");
      const problem = propsProblem(json.props);
      if (problem) return error(400, "model.post.is_valid.props.app_error", problem);
      if (typeof json.message === "string") post.message = json.message;
      if (json.props !== undefined) post.props = json.props as Record<string, unknown>;
      post.edit_at = post.update_at = Math.max(Date.now(), post.update_at + 1);
      post.edits.push({ message: post.message, props: post.props });
      return reply(200, this.#view(post));
    }
    return error(404, "api.context.404.app_error", "Sorry, we could not find the page.");
  }

  #create(
    req: IncomingMessage,
    raw: string,
  ): { status: number; post: Record<string, unknown> } | { status: number; error: string; message: string } {
    const bad = (message: string, id = "api.context.invalid_body_param.app_error") => ({
      status: 400,
      error: id,
      message,
    });
    const json = parseObject(req, raw);
    if (!json) return bad("Invalid or missing post in request body.");
    if (typeof json.channel_id !== "string" || json.channel_id === "")
      return bad("Invalid or missing channel_id in request body.");
    if (!this.#channels.has(json.channel_id))
      return {
        status: 403,
        error: "api.context.permissions.app_error",
        message: "You do not have the appropriate permissions.",
      };
    if (json.message !== undefined && typeof json.message !== "string")
      return bad("Invalid or missing message in request body.");
    const message = (json.message as string | undefined) ?? "";
    if (Array.from(message).length > MATTERMOST_MESSAGE_MAX)
      return bad("Invalid Message.", "model.post.is_valid.msg.app_error");
    const problem = propsProblem(json.props);
    if (problem) return bad(problem, "model.post.is_valid.props.app_error");
    const rootId = json.root_id === undefined ? "" : json.root_id;
    if (typeof rootId !== "string")
      return bad("Invalid RootId parameter.", "api.post.create_post.root_id.app_error");
    if (rootId !== "") {
      const root = this.posts.find((p) => p.id === rootId);
      if (!root || root.channel_id !== json.channel_id || root.root_id !== "")
        return bad("Invalid RootId parameter.", "api.post.create_post.root_id.app_error");
    }
    const pending = typeof json.pending_post_id === "string" ? json.pending_post_id : "";
    if (pending && this.dedupPendingPostIds) {
      const seen = this.posts.find(
        (p) => p.pending_post_id === pending && Date.now() - p.create_at < DEDUP_WINDOW_MS,
      );
      if (seen) return { status: 201, post: this.#view(seen) };
    }
    const now = Math.max(Date.now(), (this.posts.at(-1)?.create_at ?? 0) + 1);
    const post: FakeMattermostPost = {
      id: mattermostId(),
      channel_id: json.channel_id,
      root_id: rootId,
      message,
      props: (json.props as Record<string, unknown> | undefined) ?? {},
      pending_post_id: pending,
      create_at: now,
      update_at: now,
      edit_at: 0,
      edits: [],
    };
    this.posts.push(post);
    this.creates.push({ body: json, raw });
    return { status: 201, post: this.#view(post) };
  }

  #view(p: FakeMattermostPost): Record<string, unknown> {
    return {
      id: p.id,
      create_at: p.create_at,
      update_at: p.update_at,
      edit_at: p.edit_at,
      delete_at: 0,
      is_pinned: false,
      user_id: this.#userId,
      channel_id: p.channel_id,
      root_id: p.root_id,
      original_id: "",
      message: p.message,
      type: "",
      props: p.props,
      hashtags: "",
      pending_post_id: p.pending_post_id,
      reply_count: this.posts.filter((r) => r.root_id === p.id).length,
      metadata: {},
    };
  }
}

function parseObject(req: IncomingMessage, raw: string): Record<string, unknown> | undefined {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** props must be an object; props.attachments an array of objects whose fields have string titles. */
function propsProblem(props: unknown): string | undefined {
  if (props === undefined) return undefined;
  if (props === null || typeof props !== "object" || Array.isArray(props)) return "Invalid props.";
  const attachments = (props as { attachments?: unknown }).attachments;
  if (attachments === undefined) return undefined;
  if (!Array.isArray(attachments)) return "Invalid attachments: not an array.";
  for (const a of attachments) {
    if (a === null || typeof a !== "object" || Array.isArray(a)) return "Invalid attachments: not an object.";
    const fields = (a as { fields?: unknown }).fields;
    if (fields === undefined || fields === null) continue;
    if (!Array.isArray(fields)) return "Invalid attachment fields.";
    for (const f of fields)
      if (f === null || typeof f !== "object" || typeof (f as { title?: unknown }).title !== "string")
        return "Invalid attachment field title.";
  }
  return undefined;
}
