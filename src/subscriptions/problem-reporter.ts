// Subscription problems are found on every event; a person should hear about each one once per object, not on
// every status update. The reporter remembers, per object uid, the problems already reported; a problem that
// goes away and comes back is reported again. Bounded: the oldest objects are forgotten first.
import type { SubscriptionProblem } from "./annotation-subscriptions.ts";

export interface OncePerObjectReporter {
  /** Reports (through the callback) the problems not yet reported for this uid; returns them. */
  report(uid: string, problems: readonly SubscriptionProblem[]): SubscriptionProblem[];
  /** Forget an object (deleted). */
  forget(uid: string): void;
  readonly size: number;
}

export function createOncePerObjectReporter(
  onProblem: (uid: string, problem: SubscriptionProblem) => void,
  opts: { maxObjects?: number } = {},
): OncePerObjectReporter {
  const maxObjects = opts.maxObjects ?? 50_000;
  const reported = new Map<string, Set<string>>();
  const keyOf = (p: SubscriptionProblem) => `${p.source}\u0000${p.message}`;
  return {
    report(uid, problems) {
      const before = reported.get(uid);
      const now = new Set(problems.map(keyOf));
      const fresh = problems.filter((p) => !before?.has(keyOf(p)));
      reported.delete(uid); // re-insert: most recently seen last
      if (now.size > 0) reported.set(uid, now);
      while (reported.size > maxObjects) reported.delete(reported.keys().next().value!);
      for (const p of fresh) onProblem(uid, p);
      return fresh;
    },
    forget(uid) {
      reported.delete(uid);
    },
    get size() {
      return reported.size;
    },
  };
}
