// Slack sink (chat.postMessage / chat.update) with upstream notifications-engine delivery semantics, through the
// common thread poster (../common/thread-poster.ts: grouping, thread roots, the exactly-once journal):
//  - no groupingKey: every notification is a new message;
//  - groupingKey, no root yet for (channel, key): the message is posted and becomes the thread root — or, when
//    the template has a `threadRoot`, that is posted as the root and the message as its first reply;
//  - root exists: Post → reply in the thread; PostAndUpdate → reply in the thread and update the root with the
//    `threadRoot` (else the new message); Update → only update the root (likewise). notifyBroadcast sets
//    reply_broadcast on replies.
// This file supplies Slack's calls: chat.postMessage carrying message metadata with the job id (and learning the
// channel id of a channel given by name), finding a post by that metadata in conversations.history/replies
// (slack-post-recovery.ts), chat.update. Roots and the journal live in SlackState (Redis in production).
// Residual windows (README.md): Redis losing the journal write; a history read that cannot be done (missing
// channels:history/groups:history scope, >1000 newer messages) — the retry then posts again and logs a warning;
// two deliveries racing for the first root of the same group (the loser is a top-level message).
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../logger.ts";
import { ThreadPoster, type ThreadPosterApi } from "../common/thread-poster.ts";

export { UNREPLICATED_POST_AFTER_MS } from "../common/thread-poster.ts";

import { blockedAddressDeliveryError } from "../delivery-errors.ts";
import type { HttpDispatchers } from "../http/http-dispatchers.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { slackCertainlyRejected, slackDeliveryError, slackErrorCode } from "./slack-errors.ts";
import {
  isSlackConversationId,
  normalizeSlackRecipient,
  planSlackMessage,
  type SlackMessageContent,
  type SlackPostPlan,
} from "./slack-message.ts";
import {
  deliveryMetadata,
  findPostedMessage,
  knownChannelId,
  resolveChannelId,
} from "./slack-post-recovery.ts";
import type { SlackState } from "./slack-state.ts";
import type { SlackServiceConfig } from "./slack-types.ts";
import { createSlackWebClient, DEFAULT_SLACK_TIMEOUT_MS, slackApiUrl } from "./slack-web-client.ts";

/** Slack errors on chat.update meaning the root is gone: forget it so the group starts a new thread. */
const ROOT_GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);

export interface SlackSinkOptions {
  state: SlackState;
  dispatchers: HttpDispatchers;
  logger: Logger;
  timeoutMs?: number;
  /** Let services from a namespace's self-service config reach private addresses (apiURL). */
  allowPrivateNetworks?: boolean;
  now?: () => number;
}

/** Slack clients kept (one per service name, token, apiURL and transport); the least recently used goes first. */
const MAX_CLIENTS = 256;

export class SlackSink implements Sink<SlackServiceConfig> {
  readonly type = "slack" as const;
  readonly #opts: SlackSinkOptions;
  readonly #clients = new Map<string, WebClient>();
  readonly #poster: ThreadPoster;

  constructor(opts: SlackSinkOptions) {
    this.#opts = opts;
    this.#poster = new ThreadPoster({
      state: opts.state,
      logger: opts.logger,
      timeoutMs: this.#timeoutMs(),
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  #timeoutMs(): number {
    return this.#opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  }

  #client(service: SlackServiceConfig, guarded: boolean): WebClient {
    const insecure = service.insecureSkipVerify === true;
    const key = JSON.stringify([service.name, service.token, slackApiUrl(service), insecure, guarded]);
    let client = this.#clients.get(key);
    if (client) {
      // most recently used last: the oldest is the one forgotten
      this.#clients.delete(key);
      this.#clients.set(key, client);
    } else {
      client = createSlackWebClient(service, {
        dispatcher: this.#opts.dispatchers.get({
          insecureSkipVerify: insecure,
          blockPrivateAddresses: guarded,
        }),
        logger: this.#opts.logger,
        timeoutMs: this.#timeoutMs(),
      });
      this.#clients.set(key, client);
      // bounded: a namespace's config rotating tokens or apiURLs would otherwise add a client per version
      if (this.#clients.size > MAX_CLIENTS) this.#clients.delete(this.#clients.keys().next().value as string);
    }
    return client;
  }

  async deliver(delivery: Delivery<SlackServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const channel = normalizeSlackRecipient(delivery.destination.recipient);
    const where = `slack service ${JSON.stringify(service.name)} channel ${JSON.stringify(delivery.destination.recipient)}`;
    if (!channel)
      throw new DeliveryError(`${where}: no channel given`, { transient: false, code: "no_channel" });
    const plan = planSlackMessage(delivery.notification, service, where);
    if (plan.ignoredIcon !== undefined) {
      this.#opts.logger.warn(
        { service: service.name, icon: plan.ignoredIcon },
        "slack icon is neither an emoji nor an http(s) URL; ignored",
      );
    }
    // Services from a namespace's self-service config may not point apiURL at private addresses (SSRF).
    const guarded = delivery.tenantNamespace !== undefined && !this.#opts.allowPrivateNetworks;
    const client = this.#client(service, guarded);
    try {
      return await this.#poster.deliver({
        service: service.name,
        channel,
        jobId: delivery.jobId,
        where,
        type: "slack",
        logFields: {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: service.name,
          recipient: delivery.destination.recipient,
        },
        plan,
        api: this.#api(service.name, channel, plan, client, where),
      });
    } catch (err) {
      throw (
        blockedAddressDeliveryError(where, delivery.tenantNamespace, err) ?? slackDeliveryError(where, err)
      );
    }
  }

  #api(
    service: string,
    channel: string,
    plan: SlackPostPlan,
    client: WebClient,
    where: string,
  ): ThreadPosterApi<SlackMessageContent> {
    const { state } = this.#opts;
    return {
      knownChannelId: () => knownChannelId(state, service, channel),
      resolveChannelId: () => resolveChannelId(state, client, service, channel),
      post: async ({ jobId, content, rootId, channelId }) => {
        const args: Record<string, unknown> = {
          // chat.postMessage takes a name ("alerts"/"#alerts") or an id; the answer tells us the id. Replies go to
          // the root's channel id; other posts use the recipient as configured (as upstream does).
          channel: rootId && channelId ? channelId : channel,
          ...content,
          metadata: deliveryMetadata(jobId),
        };
        if (plan.username) args.username = plan.username;
        if (plan.icon_emoji) args.icon_emoji = plan.icon_emoji;
        if (plan.icon_url) args.icon_url = plan.icon_url;
        if (rootId) {
          args.thread_ts = rootId;
          if (plan.notifyBroadcast) args.reply_broadcast = true;
        }
        const res = await client.chat.postMessage(
          args as unknown as Parameters<WebClient["chat"]["postMessage"]>[0],
        );
        if (!res.ts || !res.channel)
          throw new DeliveryError(`${where}: chat.postMessage answered without ts/channel`, {
            transient: true,
            code: "bad_response",
          });
        if (!isSlackConversationId(channel)) await state.setChannelId(service, channel, res.channel);
        return { id: res.ts, channelId: res.channel };
      },
      find: async ({ jobId, channelId, rootId, sinceMs }) => {
        const found = await findPostedMessage(client, {
          channelId,
          jobId,
          startedAtMs: sinceMs,
          ...(rootId ? { threadTs: rootId } : {}),
        });
        if ("unverifiable" in found) return found;
        return found.found ? { found: found.ts } : { notFound: true };
      },
      update: async ({ channelId, id, content }) => {
        await client.chat.update({
          channel: channelId,
          ts: id,
          ...content,
        } as unknown as Parameters<WebClient["chat"]["update"]>[0]);
      },
      certainlyRejected: slackCertainlyRejected,
      rootGone: (err) => {
        const code = slackErrorCode(err);
        return code !== undefined && ROOT_GONE.has(code);
      },
    };
  }
}
