// Which dead letters an operator means: by the namespace and name of the Rollout a notification is about (the
// object itself when it has no Rollout) and by service. The same matching for listing and purging (API, web
// page, `dlq` CLI), so "purge what is shown" purges exactly what was listed.
import type { DeadLetter, DeadLetterOps } from "./notification-queue.ts";

export interface DeadLetterFilter {
  namespace?: string;
  /** Rollout name (the object's name when the notification has no Rollout). */
  rollout?: string;
  /** Service name, as in the destination (`slack`, a webhook's name). */
  service?: string;
}

const FIELDS = ["namespace", "rollout", "service"] as const;
const MAX_FIELD = 253;

export class DeadLetterFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadLetterFilterError";
  }
}

/** A filter from query parameters or flags: empty values are left out; over-long ones refused. */
export function deadLetterFilterOf(values: Record<string, unknown>): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  for (const k of FIELDS) {
    const v = values[k];
    if (v === undefined || v === null || v === "") continue;
    if (typeof v !== "string" || v.length > MAX_FIELD)
      throw new DeadLetterFilterError(`${k}: expected a name of at most ${MAX_FIELD} characters`);
    filter[k] = v;
  }
  return filter;
}

export function isEmptyFilter(filter: DeadLetterFilter): boolean {
  return FIELDS.every((k) => filter[k] === undefined);
}

export function matchesDeadLetter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  const owner = letter.job.transition.rollout ?? letter.job.transition.object;
  if (filter.namespace !== undefined && filter.namespace !== owner.namespace) return false;
  if (filter.rollout !== undefined && filter.rollout !== owner.name) return false;
  if (filter.service !== undefined && filter.service !== letter.job.destination.service) return false;
  return true;
}

export function describeFilter(filter: DeadLetterFilter): string {
  const parts = FIELDS.filter((k) => filter[k] !== undefined).map((k) => `${k}=${filter[k]}`);
  return parts.length > 0 ? parts.join(", ") : "all";
}

/**
 * Purges the dead letters a filter matches, one by one, each atomically (purgeDeadLetter): one retried or
 * purged by someone else since the listing is left alone. Returns those this call purged.
 */
export async function purgeMatchingDeadLetters(
  queue: Pick<DeadLetterOps, "listDeadLetters" | "purgeDeadLetter">,
  filter: DeadLetterFilter,
): Promise<DeadLetter[]> {
  const purged: DeadLetter[] = [];
  for (const letter of await queue.listDeadLetters()) {
    if (matchesDeadLetter(letter, filter) && (await queue.purgeDeadLetter(letter.id))) purged.push(letter);
  }
  return purged;
}
