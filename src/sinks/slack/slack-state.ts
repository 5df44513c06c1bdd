// State the Slack sink keeps between deliveries, shared by worker replicas and surviving restarts when backed by
// Redis (redis-slack-state.ts); the in-memory version serves the demo and tests.
//  - thread roots (per service, channel, groupingKey: the root message's channel id and ts) and the post journal
//    (per job id: the plan and how far it got) are the common thread poster's state
//    (../common/thread-poster.ts, ../common/thread-state.ts): a root's `id` and a record's `postId`/`rootId`/
//    `updateId` are Slack message ts values;
//  - channel ids learnt from chat.postMessage answers (names → ids), needed for chat.update and history lookups.
import type { ThreadPosterState, ThreadPostRecord, ThreadRoot } from "../common/thread-poster.ts";
import { InMemoryThreadState, memoryKey } from "../common/thread-state.ts";

/** A group's root message: its channel id and ts (`id`). */
export type SlackThreadRoot = ThreadRoot;

/** One delivery's progress (see ThreadPostRecord); ids are message ts values. */
export type SlackPostRecord = ThreadPostRecord;

export interface SlackChannelIds {
  getChannelId(service: string, channelName: string): Promise<string | undefined>;
  setChannelId(service: string, channelName: string, channelId: string): Promise<void>;
}

export type SlackState = ThreadPosterState & SlackChannelIds;

/** Process-local state: threads and idempotency last as long as the process. */
export class InMemorySlackState
  extends InMemoryThreadState<SlackThreadRoot, SlackPostRecord>
  implements SlackState
{
  readonly #channels = new Map<string, string>();

  async getChannelId(service: string, channelName: string) {
    return this.#channels.get(memoryKey(service, channelName));
  }
  async setChannelId(service: string, channelName: string, channelId: string) {
    this.#channels.set(memoryKey(service, channelName), channelId);
  }
}
