// Budgets of one render: time, output size, loop iterations + helper calls, and block nesting depth. A template
// is input from a tenant; whatever it does, its render ends within these bounds with a RenderBudgetError naming
// the limit, and the notification is dead-lettered with that reason (never retried, never rendered again).
//
// Enforced inside the engine (engine.ts wraps every block and helper; measured in bench/render-budget.ts and
// docs/security.md): the render runs on the event loop, but a runaway template (7 nested `{{#each @root}}`:
// 10^8 iterations, a minute and 4 GB before) now stops after maxIterations in milliseconds, and a whole
// transition's renders share one deadline, so nothing stalls Lease renewal, /healthz or other namespaces for
// longer than the time budget.
//
// One budget is active at a time (rendering is synchronous): withRenderBudget() sets it for the duration of a
// call; a render with no active budget gets a fresh default one.

export interface RenderBudget {
  /** Wall-clock time of the render (of all renders of one transition when they share the budget), ms. */
  timeMs: number;
  /** Characters of output of one template field (and of any helper's result). */
  maxOutputChars: number;
  /** Loop iterations, block bodies and helper calls together. */
  maxIterations: number;
  /** Nesting of blocks (`#each` inside `#each` …), checked at compile time and at render time. */
  maxDepth: number;
}

export const DEFAULT_RENDER_BUDGET: Readonly<RenderBudget> = Object.freeze({
  timeMs: 2_000,
  maxOutputChars: 1_000_000,
  maxIterations: 10_000,
  maxDepth: 24,
});

export type RenderBudgetLimit = "time" | "output" | "iterations" | "depth" | "share";

/** A render stopped by its budget: permanent for this notification (its code is the dead letter's reason). */
export class RenderBudgetError extends Error {
  readonly code = "render_budget";
  readonly limit: RenderBudgetLimit;
  constructor(limit: RenderBudgetLimit, message: string) {
    super(`render budget exceeded: ${message}`);
    this.name = "RenderBudgetError";
    this.limit = limit;
  }
}

function shareError(): RenderBudgetError {
  return new RenderBudgetError(
    "share",
    "the namespace has used its share of rendering time (RENDER_SHARE_PERCENT); its notifications render again once the share refills",
  );
}

/** The RenderBudgetError inside an error's cause chain, if any. */
export function renderBudgetErrorOf(err: unknown): RenderBudgetError | undefined {
  let e: unknown = err;
  for (let i = 0; i < 8 && e; i++) {
    if (e instanceof RenderBudgetError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

interface ActiveBudget {
  budget: RenderBudget;
  deadline: number;
  /** The deadline is the namespace's render share (render-share.ts), not the time budget. */
  shareBound: boolean;
  iterationsLeft: number;
  depth: number;
  /** Characters produced in the current output scope (one template field). */
  output: number;
  /** Characters made by helpers over the whole render, kept or not (bounds work that leaves no output). */
  produced: number;
  ticks: number;
}

let active: ActiveBudget | undefined;
let defaults: RenderBudget = { ...DEFAULT_RENDER_BUDGET };

/** Sets the budget every render gets (settings: RENDER_TIMEOUT_MS, …); returns the previous one. */
export function setDefaultRenderBudget(budget: Partial<RenderBudget>): RenderBudget {
  const previous = defaults;
  defaults = { ...DEFAULT_RENDER_BUDGET, ...budget };
  return previous;
}

/** Runs fn with `budget` active (nested calls share the outer budget: the outer one is the stricter scope). */
export function withRenderBudget<T>(
  budget: (Partial<RenderBudget> & { deadlineAt?: number; shareDeadlineAt?: number }) | undefined,
  fn: () => T,
): T {
  if (active) return fn();
  const { deadlineAt, shareDeadlineAt, ...limits } = budget ?? {};
  const b: RenderBudget = { ...defaults, ...limits };
  const now = Date.now();
  const byTime = Math.min(now + b.timeMs, deadlineAt ?? Number.POSITIVE_INFINITY);
  const byShare = shareDeadlineAt ?? Number.POSITIVE_INFINITY;
  // a namespace with no render time left renders nothing (render-share.ts)
  if (byShare < byTime && byShare <= now) throw shareError();
  active = {
    budget: b,
    deadline: Math.min(byTime, byShare),
    shareBound: byShare < byTime,
    iterationsLeft: b.maxIterations,
    depth: 0,
    output: 0,
    produced: 0,
    ticks: 0,
  };
  try {
    return fn();
  } finally {
    active = undefined;
  }
}

/** The active budget's limits (the configured default when none is active). */
export function currentRenderBudget(): RenderBudget {
  return active?.budget ?? defaults;
}

/** Runs fn (one template field's render) with its own output count. */
export function withOutputScope<T>(fn: () => T): T {
  const a = active;
  if (!a) return fn();
  const saved = a.output;
  a.output = 0;
  try {
    return fn();
  } finally {
    a.output = saved;
  }
}

/**
 * Accounts a block's output: `producedBefore` is outputProduced() before the block ran; what the block returned
 * minus what nested blocks already counted is added. Throws when the field's output passes the limit.
 */
export function countBlockOutput(producedBefore: number, out: string): void {
  const a = active;
  if (!a) return;
  const nested = a.output - producedBefore;
  a.output += Math.max(0, out.length - nested);
  checkOutputSize(a.output);
}

/** Characters counted so far in the current output scope. */
export function outputProduced(): number {
  return active?.output ?? 0;
}

/** Counts `n` iterations/helper calls and checks the clock. */
export function spend(n = 1): void {
  const a = active;
  if (!a) return;
  a.iterationsLeft -= n;
  if (a.iterationsLeft < 0) {
    throw new RenderBudgetError(
      "iterations",
      `more than ${a.budget.maxIterations} loop iterations and helper calls (RENDER_MAX_ITERATIONS)`,
    );
  }
  checkClock(a);
}

/**
 * Checks the active budget's deadline (time, or the namespace's render share) every 16th call: the Go template
 * interpreter calls it at each function call and loop iteration (its own limits count iterations and output).
 */
export function checkRenderClock(): void {
  const a = active;
  if (a) checkClock(a);
}

function checkClock(a: ActiveBudget): void {
  // the clock is read every 16th call (a call is cheap; 100,000 clock reads are not)
  if ((++a.ticks & 15) === 0 && Date.now() > a.deadline) {
    if (a.shareBound) throw shareError();
    throw new RenderBudgetError(
      "time",
      `rendering took longer than ${a.budget.timeMs} ms (RENDER_TIMEOUT_MS)`,
    );
  }
}

/** Checks that an output (or a helper's result, or an output about to be made) fits. */
export function checkOutputSize(chars: number): void {
  const max = currentRenderBudget().maxOutputChars;
  if (chars > max) {
    throw new RenderBudgetError("output", `output of more than ${max} characters (RENDER_MAX_OUTPUT_BYTES)`);
  }
}

/** What helpers made, kept in the output or not: at most 10 × maxOutputChars per render. */
export function countProduced(chars: number): void {
  const a = active;
  if (!a) return;
  a.produced += chars;
  if (a.produced > 10 * a.budget.maxOutputChars) {
    throw new RenderBudgetError(
      "output",
      `helpers made more than ${10 * a.budget.maxOutputChars} characters (10 × RENDER_MAX_OUTPUT_BYTES)`,
    );
  }
}

/**
 * Runs fn without charging its time to the active budget (compiling a template the first time it is used: its
 * cost depends on the source, which the load bounds, not on what the render does).
 */
export function offTheClock<T>(fn: () => T): T {
  const a = active;
  if (!a) return fn();
  const started = Date.now();
  try {
    return fn();
  } finally {
    a.deadline += Date.now() - started;
  }
}

/** Runs a block body one level deeper. */
export function inBlock<T>(fn: () => T): T {
  const a = active;
  if (!a) return fn();
  spend();
  if (++a.depth > a.budget.maxDepth) {
    a.depth--;
    throw new RenderBudgetError("depth", `blocks nested deeper than ${a.budget.maxDepth} (RENDER_MAX_DEPTH)`);
  }
  try {
    return fn();
  } finally {
    a.depth--;
  }
}
