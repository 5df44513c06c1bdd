// The wall-clock limit of the conditions (`when`, `oncePer`) evaluated together: one object event's detection,
// one transition's planning. Each evaluation has its own work bounds (expr-lang: predicate evaluations; CEL:
// reads of list elements and fields), but a namespace's ConfigMap may hold thousands of conditions, each near
// its bound: together they could hold the thread for minutes. Inside withConditionDeadline the evaluators read
// the clock every 64 steps and every evaluation starts by looking at it; past the deadline an evaluation fails
// with `reason` (the condition is false, and the error is reported as any failing condition's).
// One deadline is active at a time (evaluation is synchronous); nested calls keep the outer one.

export interface ConditionDeadline {
  /** Date.now() after which evaluations fail. */
  at: number;
  /** The error they fail with. */
  reason: string;
}

let active: ConditionDeadline | undefined;
let ticks = 0;

export function withConditionDeadline<T>(deadline: ConditionDeadline | undefined, fn: () => T): T {
  if (!deadline || active) return fn();
  active = deadline;
  ticks = 0;
  try {
    return fn();
  } finally {
    active = undefined;
  }
}

/** Called by the evaluators at each step of their loops: throws past the deadline (every 64th call). */
export function checkConditionClock(): void {
  const d = active;
  if (d && (++ticks & 63) === 0 && Date.now() > d.at) throw new Error(d.reason);
}

/** The reason, when the active deadline has passed (an evaluation that should not start). */
export function conditionDeadlinePassed(): string | undefined {
  const d = active;
  return d && Date.now() > d.at ? d.reason : undefined;
}
