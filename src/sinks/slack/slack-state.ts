// State the Slack sink keeps between deliveries, shared by worker replicas and surviving restarts when backed by
// Redis (redis-slack-state.ts); the in-memory version serves the demo and tests.
//  - thread roots: the ts of the first message per (service, channel, groupingKey), so later messages of the
//    group reply in its thread / update it;
//  - the post journal: per job id, what the delivery planned and how far it got, so a retried job never posts
//    twice (see slack-sink.ts for the protocol);
//  - channel ids learnt from chat.postMessage answers (names → ids), needed for chat.update and history lookups.

export interface SlackThreadRoot {
  channelId: string;
  ts: string;
}

export interface SlackThreadStore {
  getThreadRoot(service: string, channel: string, groupingKey: string): Promise<SlackThreadRoot | undefined>;
  /** Records the root unless one exists; returns the root in effect (ours or the one already there). */
  setThreadRootIfAbsent(
    service: string,
    channel: string,
    groupingKey: string,
    root: SlackThreadRoot,
  ): Promise<SlackThreadRoot>;
  deleteThreadRoot(service: string, channel: string, groupingKey: string): Promise<void>;
}

/**
 * One delivery's progress.
 *  - posting: a chat.postMessage is (or was, if the worker died) in flight until `deadline`;
 *  - unknown: the last attempt ended without knowing whether Slack took the post (timeout, reset, 5xx);
 *  - posted: Slack took the post (`ts`), or there was nothing to post (Update of an existing root);
 *  - done: every step (post, thread root, update) finished.
 */
export interface SlackPostRecord {
  state: "posting" | "unknown" | "posted" | "done";
  /** ms since epoch the first attempt started: lower bound for finding our message in history. */
  startedAt: number;
  /** ms since epoch after which an in-flight attempt has certainly ended (its request timed out). */
  deadline: number;
  /** Whether this delivery posts a message at all (false: Update of an existing root). */
  post: boolean;
  channelId?: string;
  /** Root the post replies in (absent: a top-level message). */
  threadTs?: string;
  /** Whether the posted message becomes the group's thread root. */
  becomesRoot?: boolean;
  /**
   * The group has no root yet and the template has a `threadRoot`: that is posted first (its own journal entry,
   * job id `<jobId>/thread-root`), then this message as its first reply. While true, this message was certainly
   * not posted yet.
   */
  rootPending?: boolean;
  /** Root message to chat.update after posting (PostAndUpdate / Update with an existing root). */
  updateTs?: string;
  /** ts of our posted message. */
  ts?: string;
}

/** Whether a journal write is on a replica too: one a fail-over cannot lose. */
export interface JournalDurability {
  /** A replica has the write, or there is no fail-over replica to wait for. */
  replicated: boolean;
  /** How long (ms) writes have gone unconfirmed by a replica, this one included (0 when replicated). */
  unconfirmedForMs: number;
}

/** An attempt's exclusive hold on one job's delivery (see SlackPostJournal.claimAttempt). */
export type AttemptClaim = { release(): Promise<void> } | { heldForMs: number };

export interface SlackPostJournal {
  getPost(service: string, jobId: string): Promise<SlackPostRecord | undefined>;
  putPost(service: string, jobId: string, record: SlackPostRecord): Promise<void>;
  /**
   * putPost for the record written right before a post: answers once a fail-over replica has it (bounded wait), so
   * a fail-over after the post cannot lose the journal entry and let the job post again.
   */
  putPostDurably(service: string, jobId: string, record: SlackPostRecord): Promise<JournalDurability>;
  /**
   * One attempt at a time per job: two attempts of one job (a stalled job run again while its first attempt still
   * runs) would both find no journal entry and both post. Held for at most `ttlMs` (a dead worker's claim lapses);
   * `heldForMs` when another attempt holds it.
   */
  claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim>;
  deletePost(service: string, jobId: string): Promise<void>;
  getChannelId(service: string, channelName: string): Promise<string | undefined>;
  setChannelId(service: string, channelName: string, channelId: string): Promise<void>;
}

export type SlackState = SlackThreadStore & SlackPostJournal;

/** Process-local state: threads and idempotency last as long as the process. */
export class InMemorySlackState implements SlackState {
  readonly #roots = new Map<string, SlackThreadRoot>();
  readonly #posts = new Map<string, SlackPostRecord>();
  readonly #channels = new Map<string, string>();
  readonly #claims = new Map<string, { token: object; until: number }>();

  async getThreadRoot(service: string, channel: string, groupingKey: string) {
    return this.#roots.get(key(service, channel, groupingKey));
  }
  async setThreadRootIfAbsent(service: string, channel: string, groupingKey: string, root: SlackThreadRoot) {
    const k = key(service, channel, groupingKey);
    const existing = this.#roots.get(k);
    if (existing) return existing;
    this.#roots.set(k, { ...root });
    return root;
  }
  async deleteThreadRoot(service: string, channel: string, groupingKey: string) {
    this.#roots.delete(key(service, channel, groupingKey));
  }
  async getPost(service: string, jobId: string) {
    const r = this.#posts.get(key(service, jobId));
    return r ? { ...r } : undefined;
  }
  async putPost(service: string, jobId: string, record: SlackPostRecord) {
    this.#posts.set(key(service, jobId), { ...record });
  }
  async putPostDurably(service: string, jobId: string, record: SlackPostRecord) {
    await this.putPost(service, jobId, record);
    return { replicated: true, unconfirmedForMs: 0 };
  }
  async claimAttempt(service: string, jobId: string, ttlMs: number): Promise<AttemptClaim> {
    const k = key(service, jobId);
    const now = Date.now();
    const held = this.#claims.get(k);
    if (held && held.until > now) return { heldForMs: held.until - now };
    const token = {};
    this.#claims.set(k, { token, until: now + ttlMs });
    return {
      release: async () => {
        if (this.#claims.get(k)?.token === token) this.#claims.delete(k);
      },
    };
  }
  async deletePost(service: string, jobId: string) {
    this.#posts.delete(key(service, jobId));
  }
  async getChannelId(service: string, channelName: string) {
    return this.#channels.get(key(service, channelName));
  }
  async setChannelId(service: string, channelName: string, channelId: string) {
    this.#channels.set(key(service, channelName), channelId);
  }
}

function key(...parts: string[]): string {
  return parts.join("\u0000");
}
