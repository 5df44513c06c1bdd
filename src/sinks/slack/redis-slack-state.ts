// Redis-backed SlackState, shared by all worker replicas: thread roots and the post journal are the common thread
// state (../common/thread-state.ts, keys under "rn:slack:"), plus the channel ids Slack's answers taught us:
//   <prefix>channel:<sha256(service, name)>                  channel id                        TTL 1d
import { SLACK_KEY_PREFIX } from "../../redis/keys.ts";
import type { RedisClient } from "../../redis/redis-connection.ts";
import { RedisThreadState } from "../common/thread-state.ts";
import type { SlackPostRecord, SlackState, SlackThreadRoot } from "./slack-state.ts";

const DAY_S = 24 * 60 * 60;

export interface RedisSlackStateOptions {
  keyPrefix?: string;
  threadTtlSec?: number;
  postTtlSec?: number;
  channelTtlSec?: number;
  /** Wait for a replica on the write before a post (default: when connected through Sentinel). */
  waitForReplica?: boolean;
  /** Bound of that wait (default JOURNAL_REPLICA_WAIT_MS, common/thread-state.ts). */
  replicaWaitMs?: number;
  now?: () => number;
}

export class RedisSlackState
  extends RedisThreadState<SlackThreadRoot, SlackPostRecord>
  implements SlackState
{
  readonly #channelTtl: number;

  constructor(redis: RedisClient, opts: RedisSlackStateOptions = {}) {
    super(redis, parseRoot, {
      keyPrefix: opts.keyPrefix ?? SLACK_KEY_PREFIX,
      ...(opts.threadTtlSec !== undefined ? { threadTtlSec: opts.threadTtlSec } : {}),
      ...(opts.postTtlSec !== undefined ? { postTtlSec: opts.postTtlSec } : {}),
      ...(opts.waitForReplica !== undefined ? { waitForReplica: opts.waitForReplica } : {}),
      ...(opts.replicaWaitMs !== undefined ? { replicaWaitMs: opts.replicaWaitMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.#channelTtl = opts.channelTtlSec ?? DAY_S;
  }

  override async getPost(service: string, jobId: string): Promise<SlackPostRecord | undefined> {
    const rec = await super.getPost(service, jobId);
    return rec ? upgradeRecord(rec) : undefined;
  }

  async getChannelId(service: string, channelName: string): Promise<string | undefined> {
    return (await this.redis.get(this.key("channel", service, channelName))) ?? undefined;
  }

  async setChannelId(service: string, channelName: string, channelId: string): Promise<void> {
    await this.redis.set(this.key("channel", service, channelName), channelId, "EX", this.#channelTtl);
  }
}

/** A stored root; roots written before the common thread state hold the ts as `ts`. */
function parseRoot(v: Record<string, unknown>): SlackThreadRoot | undefined {
  const id = typeof v.id === "string" ? v.id : v.ts;
  return typeof v.channelId === "string" && typeof id === "string"
    ? { channelId: v.channelId, id }
    : undefined;
}

/** Journal records written before the common thread poster name the ts fields ts/threadTs/updateTs. */
function upgradeRecord(rec: SlackPostRecord): SlackPostRecord {
  const legacy = rec as SlackPostRecord & { ts?: string; threadTs?: string; updateTs?: string };
  const { ts, threadTs, updateTs, ...out } = legacy;
  if (ts !== undefined && out.postId === undefined) out.postId = ts;
  if (threadTs !== undefined && out.rootId === undefined) out.rootId = threadTs;
  if (updateTs !== undefined && out.updateId === undefined) out.updateId = updateTs;
  return out;
}
