// Mattermost sink (API v4, Bearer token): POST /api/v4/posts as upstream, with threads per group and root posts
// updated in place (PUT /api/v4/posts/{id}/patch), posting exactly once where Mattermost lets us know — the common
// thread poster (../common/thread-poster.ts) does the grouping and the journal; this file supplies the API calls:
//  - post: every create carries the job id as a post property and a pending_post_id derived from it (Mattermost
//    itself answers a repeated create within ~30 s with the first post);
//  - find: after an attempt that ended without an answer, GET /api/v4/channels/{id}/posts?since=<attempt start>
//    (every post of the channel, thread replies included) and look for the job id property;
//  - update: read the root (GET /api/v4/posts/{id}) and patch its message and attachments, keeping its other
//    properties.
// Failures: 429 (Retry-After honoured), 5xx, network errors and timeouts are transient; other 4xx permanent (the
// error body {id, message, status_code} names why). A root that is gone (403/404 on reading or patching it, a
// reply refused with Invalid RootId) is forgotten: the group starts a new thread.
import { sinkKeyPrefix } from "../../redis/keys.ts";
import {
  type PostLookup,
  ThreadPoster,
  type ThreadPosterApi,
  type ThreadPosterState,
} from "../common/thread-poster.ts";
import { deliveryErrorForAnswer, snippet } from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import {
  JOB_ID_PROP,
  mattermostApi,
  mattermostCreatePost,
  mattermostPatchPost,
  normalizeMattermostRecipient,
  planMattermostPost,
} from "./mattermost-request.ts";
import type { MattermostContent, MattermostServiceConfig } from "./mattermost-types.ts";
import { mattermostWhere } from "./mattermost-wire.ts";

export const MATTERMOST_TIMEOUT_MS = 15_000;
/** Redis key prefix of the Mattermost thread state. */
export const MATTERMOST_KEY_PREFIX = sinkKeyPrefix("mattermost");
/** Allowed clock difference between us and the server when bounding the lookup. */
const CLOCK_SKEW_MS = 120_000;
/** More posts than this since the attempt: the lookup is not conclusive (Mattermost caps `since` answers). */
const MAX_LOOKUP_POSTS = 1000;
/** Mattermost's error id for a reply whose root_id is not a root post of the channel (e.g. deleted). */
const ROOT_ID_ERROR = "api.post.create_post.root_id.app_error";

export interface MattermostSinkOptions extends HttpSinkOptions {
  state: ThreadPosterState;
}

interface MattermostPostJson {
  id?: unknown;
  channel_id?: unknown;
  props?: Record<string, unknown> | null;
}

export class MattermostSink implements Sink<MattermostServiceConfig> {
  readonly type = "mattermost" as const;
  readonly #opts: MattermostSinkOptions;
  readonly #poster: ThreadPoster;

  constructor(opts: MattermostSinkOptions) {
    this.#opts = opts;
    this.#poster = new ThreadPoster({
      state: opts.state,
      logger: opts.logger,
      timeoutMs: this.#timeoutMs(),
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  #timeoutMs(): number {
    return this.#opts.timeoutMs ?? MATTERMOST_TIMEOUT_MS;
  }

  async deliver(delivery: Delivery<MattermostServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const channel = normalizeMattermostRecipient(delivery.destination.recipient);
    const where = mattermostWhere(service, delivery.destination.recipient);
    const plan = planMattermostPost(delivery.notification, channel, where);
    return this.#poster.deliver({
      service: service.name,
      channel,
      jobId: delivery.jobId,
      where,
      type: "mattermost",
      logFields: {
        jobId: delivery.jobId,
        ...(delivery.about ?? {}),
        service: service.name,
        recipient: channel,
      },
      plan,
      api: this.#api(delivery, channel, where),
    });
  }

  #api(
    delivery: Delivery<MattermostServiceConfig>,
    channel: string,
    where: string,
  ): ThreadPosterApi<MattermostContent> {
    const call = (method: "GET" | "POST" | "PUT", path: string, body?: unknown) =>
      sendHttpRequest(
        delivery,
        where,
        {
          url: mattermostApi(delivery.service, path),
          method,
          headers: {
            authorization: `Bearer ${delivery.service.token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? null : JSON.stringify(body),
          timeoutMs: this.#timeoutMs(),
          insecureSkipVerify: delivery.service.insecureSkipVerify === true,
        },
        this.#opts,
      );
    return {
      // Recipients are channel ids: known without asking.
      knownChannelId: async () => channel,
      resolveChannelId: async () => channel,
      post: async ({ jobId, content, rootId }) => {
        const body = mattermostCreatePost(channel, content, { jobId, ...(rootId ? { rootId } : {}) });
        const res = await call("POST", "posts", body);
        const post = parseJson(res.text) as MattermostPostJson | undefined;
        if ((res.statusCode === 201 || res.statusCode === 200) && typeof post?.id === "string") {
          return { id: post.id, channelId: typeof post.channel_id === "string" ? post.channel_id : channel };
        }
        throw failure(`${where}: create post`, res);
      },
      find: async ({ jobId, channelId, sinceMs }): Promise<PostLookup> => {
        const since = Math.max(0, Math.floor(sinceMs - CLOCK_SKEW_MS));
        const res = await call("GET", `channels/${encodeURIComponent(channelId)}/posts?since=${since}`);
        if (res.statusCode === 403 || res.statusCode === 404)
          return { unverifiable: `reading the channel's posts answered HTTP ${res.statusCode}` };
        const list = parseJson(res.text) as
          | { order?: unknown; posts?: Record<string, MattermostPostJson> | null }
          | undefined;
        if (res.statusCode !== 200 || !list) throw failure(`${where}: read channel posts`, res);
        const posts = Object.values(list.posts ?? {});
        const hit = posts.find((p) => p.props?.[JOB_ID_PROP] === jobId && typeof p.id === "string");
        if (hit) return { found: String(hit.id) };
        if (posts.length >= MAX_LOOKUP_POSTS)
          return { unverifiable: `${posts.length} posts in the channel since the attempt started` };
        return { notFound: true };
      },
      // A patch replaces `props` whole: read the root's first and keep its other properties (our job id marker,
      // whatever else was added), replacing message and attachments.
      update: async ({ id, content }) => {
        const path = `posts/${encodeURIComponent(id)}`;
        const current = await call("GET", path);
        const root = parseJson(current.text) as MattermostPostJson | undefined;
        if (current.statusCode !== 200 || !root) throw failure(`${where}: read root post`, current);
        const res = await call("PUT", `${path}/patch`, mattermostPatchPost(content, root.props ?? {}));
        if (res.statusCode !== 200) throw failure(`${where}: update root post`, res);
      },
      certainlyRejected: (err) =>
        err instanceof DeliveryError &&
        (/^http_4\d\d$/.test(err.code) || err.code === "blocked_address" || err.code.startsWith("invalid_")),
      // a root deleted or no longer editable: 404/403 on reading or patching it, 400 Invalid RootId on a reply
      rootGone: (err) =>
        err instanceof DeliveryError &&
        (err.code === "http_403" ||
          err.code === "http_404" ||
          (err.code === "http_400" && err.message.includes(`(${ROOT_ID_ERROR})`))),
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON (a proxy's error page): the status decides
  }
}

/** The error for an answer we did not accept: Mattermost's {id, message} when it sent one. */
function failure(
  what: string,
  res: { statusCode: number; headers: Record<string, string | string[] | undefined>; text: string },
): DeliveryError {
  const body = parseJson(res.text) as { id?: unknown; message?: unknown } | undefined;
  const detail =
    typeof body?.message === "string"
      ? `${body.message}${typeof body.id === "string" ? ` (${body.id})` : ""}`
      : snippet(res.text);
  // a 2xx we cannot read is a broken answer: retried like a gateway error
  const status = res.statusCode >= 200 && res.statusCode < 300 ? 502 : res.statusCode;
  return deliveryErrorForAnswer(what, res, detail, status);
}
