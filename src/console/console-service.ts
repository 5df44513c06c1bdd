// What the console can read and do, shared by the JSON API and the web page. Reads are open; every write is
// authorised (see authorizer.ts) and logged with who did it.

import type { DeliveryHistory } from "../history/delivery-history.ts";
import type { Logger } from "../logger.ts";
import {
  type DeadLetterFilter,
  describeFilter,
  isEmptyFilter,
  matchesDeadLetter,
  purgeMatchingDeadLetters,
} from "../queue/dead-letter-filter.ts";
import type { DeadLetter } from "../queue/notification-queue.ts";
import type { RedisNotificationQueue } from "../queue/redis-notification-queue.ts";
import { type Silence, type SilenceRequest, SilenceRequestError, silenceScope } from "../silences/silence.ts";
import type { SilenceStore } from "../silences/silence-store.ts";
import type { AuthDecision, Authorizer } from "./authorizer.ts";

export interface ConsoleDeps {
  queue: Pick<RedisNotificationQueue, "depth" | "listDeadLetters" | "retryDeadLetter" | "purgeDeadLetter">;
  /** undefined when the history is switched off. */
  history: DeliveryHistory | undefined;
  silences: SilenceStore;
  authorizer: Authorizer;
  logger: Logger;
}

export type WriteResult<T> =
  | { ok: true; value: T; user: string }
  | { ok: false; status: 400 | 401 | 403 | 404; message: string };

export class ConsoleService {
  readonly deps: ConsoleDeps;
  private readonly log: Logger;

  constructor(deps: ConsoleDeps) {
    this.deps = deps;
    this.log = deps.logger.child({ component: "console" });
  }

  get history(): DeliveryHistory | undefined {
    return this.deps.history;
  }

  async overview() {
    const [queue, services, silences] = await Promise.all([
      this.deps.queue.depth(),
      this.deps.history?.serviceCounts() ?? Promise.resolve([]),
      this.deps.silences.list(),
    ]);
    const now = Date.now();
    return {
      queue,
      services,
      activeSilences: silences.filter((s) => s.startsAt <= now && now < s.endsAt).length,
      history: this.deps.history !== undefined,
    };
  }

  /** Dead letters, oldest first; with a filter, those it matches (dead-letter-filter.ts). */
  async deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    return (await this.deps.queue.listDeadLetters()).filter((l) => matchesDeadLetter(l, filter));
  }

  silences(): Promise<Silence[]> {
    return this.deps.silences.list();
  }

  private async authorize(
    authorization: string | undefined,
    namespace: string | undefined,
    action: string,
  ): Promise<AuthDecision> {
    let d: AuthDecision;
    try {
      d = await this.deps.authorizer.authorize(authorization, namespace);
    } catch (err) {
      this.log.warn({ action, err: (err as Error).message }, "console: could not check the caller's rights");
      return { ok: false, status: 401, message: "could not check the token (Kubernetes API unreachable?)" };
    }
    if (!d.ok)
      this.log.warn(
        { action, namespace, user: d.user, status: d.status },
        `console: ${action} refused: ${d.message}`,
      );
    return d;
  }

  async retryDeadLetter(authorization: string | undefined, id: string): Promise<WriteResult<string>> {
    const letter = (await this.deps.queue.listDeadLetters()).find((l) => l.id === id);
    if (!letter) {
      // refuse unauthenticated callers before saying whether something exists
      const d = await this.authorize(authorization, undefined, "retry");
      if (!d.ok && d.status === 401) return d;
      return { ok: false, status: 404, message: `no dead letter with id ${JSON.stringify(id)}` };
    }
    const owner = letter.job.transition.rollout ?? letter.job.transition.object;
    const d = await this.authorize(authorization, owner.namespace, "retry");
    if (!d.ok) return d;
    if (!(await this.deps.queue.retryDeadLetter(id)))
      return { ok: false, status: 404, message: `no dead letter with id ${JSON.stringify(id)}` };
    void this.deps.history?.setOutcome(id, "queued", `retried by ${d.user}`);
    this.log.info(
      { action: "retry", user: d.user, jobId: id, object: letter.job.transition.object },
      `console: dead letter retried by ${d.user}`,
    );
    return { ok: true, value: id, user: d.user };
  }

  /** Purges one dead letter; needs the rights of a retry (the Rollout's namespace). */
  async purgeDeadLetter(authorization: string | undefined, id: string): Promise<WriteResult<string>> {
    const letter = (await this.deps.queue.listDeadLetters()).find((l) => l.id === id);
    if (!letter) {
      const d = await this.authorize(authorization, undefined, "purge");
      if (!d.ok && d.status === 401) return d;
      return { ok: false, status: 404, message: `no dead letter with id ${JSON.stringify(id)}` };
    }
    const owner = letter.job.transition.rollout ?? letter.job.transition.object;
    const d = await this.authorize(authorization, owner.namespace, "purge");
    if (!d.ok) return d;
    if (!(await this.purgeOne(letter, d.user)))
      return { ok: false, status: 404, message: `no dead letter with id ${JSON.stringify(id)}` };
    return { ok: true, value: id, user: d.user };
  }

  /**
   * Purges the dead letters a filter matches (every one without a filter), each atomically: one retried or
   * purged meanwhile is left alone. Needs rights in `filter.namespace`, cluster-wide without one.
   */
  async purgeDeadLetters(
    authorization: string | undefined,
    filter: DeadLetterFilter = {},
  ): Promise<WriteResult<string[]>> {
    const d = await this.authorize(authorization, filter.namespace, "purge");
    if (!d.ok) return d;
    const purged = (await purgeMatchingDeadLetters(this.deps.queue, filter)).map((l) => l.id);
    for (const id of purged) void this.deps.history?.setOutcome(id, "purged", `purged by ${d.user}`);
    this.log.info(
      { action: "purge", user: d.user, filter, purged: purged.length },
      `console: ${purged.length} dead letter(s) purged by ${d.user}${isEmptyFilter(filter) ? "" : ` (${describeFilter(filter)})`}`,
    );
    return { ok: true, value: purged, user: d.user };
  }

  /** One dead letter gone, recorded in the history as purged by `user`. */
  private async purgeOne(letter: DeadLetter, user: string): Promise<boolean> {
    if (!(await this.deps.queue.purgeDeadLetter(letter.id))) return false;
    void this.deps.history?.setOutcome(letter.id, "purged", `purged by ${user}`);
    this.log.info(
      { action: "purge", user, jobId: letter.id, object: letter.job.transition.object },
      `console: dead letter purged by ${user}`,
    );
    return true;
  }

  async createSilence(authorization: string | undefined, req: SilenceRequest): Promise<WriteResult<Silence>> {
    const ns =
      typeof req?.matchers?.namespace === "string" && req.matchers.namespace !== ""
        ? req.matchers.namespace
        : undefined;
    const d = await this.authorize(authorization, ns, "create silence");
    if (!d.ok) return d;
    try {
      const s = await this.deps.silences.create(req, d.user);
      this.log.info(
        { action: "create silence", user: d.user, silence: s },
        `console: silence ${s.id} created by ${d.user}`,
      );
      return { ok: true, value: s, user: d.user };
    } catch (err) {
      if (err instanceof SilenceRequestError) return { ok: false, status: 400, message: err.message };
      throw err;
    }
  }

  async expireSilence(authorization: string | undefined, id: string): Promise<WriteResult<Silence>> {
    const existing = await this.deps.silences.get(id);
    const d = await this.authorize(
      authorization,
      existing ? silenceScope(existing) : undefined,
      "expire silence",
    );
    if (!d.ok) return d;
    const s = await this.deps.silences.expire(id, d.user);
    if (!s) return { ok: false, status: 404, message: `no active silence with id ${JSON.stringify(id)}` };
    this.log.info(
      { action: "expire silence", user: d.user, silence: id },
      `console: silence ${id} expired by ${d.user}`,
    );
    return { ok: true, value: s, user: d.user };
  }
}
