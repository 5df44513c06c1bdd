// Each namespace's share of the process's time for rendering (and loading its own config). The render budgets
// (render-budget.ts) bound one transition's renders (RENDER_TIMEOUT_MS); a tenant whose templates use all of it
// each time, and whose Rollouts change every few seconds, would still keep the one thread busy for everyone.
// So the time spent rendering a namespace's notifications, evaluating its conditions (detection and planning:
// src/triggers/condition-deadline.ts) and loading its self-service config is charged to that namespace: a
// token bucket of milliseconds, refilled at RENDER_SHARE_PERCENT of wall-clock time, holding at most twice the
// render timeout. While a namespace's bucket is empty its renders get no time (they fail at once with a render
// budget error naming the share, and are dead-lettered with that reason), its conditions are not evaluated
// (false, reported) and its config reloads wait for the bucket. Ordinary work is not charged at all: the first
// FREE_MS_PER_PIECE of each event's detection and of each transition's planning are free.
//
// Bounded: at most MAX_NAMESPACES buckets (the oldest is forgotten: it starts full again).

import { type ConditionDeadline, withConditionDeadline } from "../triggers/condition-deadline.ts";
import { currentRenderBudget } from "./render-budget.ts";

export const DEFAULT_RENDER_SHARE_PERCENT = 10;

/** The share, and which namespaces it charges (those with their own config: their templates and conditions). */
export interface NamespaceRenderShare {
  share: RenderShare;
  appliesTo: (namespace: string) => boolean;
}

/** What a condition evaluated past the namespace's share fails with. */
const SHARE_USED_FOR_CONDITIONS =
  "the namespace has used its share of rendering time (RENDER_SHARE_PERCENT): condition not evaluated";
const MAX_NAMESPACES = 10_000;

/**
 * Runs `fn` as one piece of a namespace's work (an object event's detection, a transition's planning): the
 * conditions it evaluates share one deadline (conditionDeadline), and its time is charged to the namespace when
 * the share applies to it. `fn` gets the rendering time the namespace has left (undefined: not charged).
 */
export function asNamespaceWork<T>(
  shares: NamespaceRenderShare | undefined,
  namespace: string,
  fn: (renderShareMs: number | undefined) => T,
): T {
  const share = shares?.appliesTo(namespace) ? shares.share : undefined;
  const renderShareMs = share?.available(namespace);
  const started = performance.now();
  try {
    return withConditionDeadline(conditionDeadline(renderShareMs), () => fn(renderShareMs));
  } finally {
    share?.charge(namespace, performance.now() - started - FREE_MS_PER_PIECE);
  }
}

/**
 * Time of one piece of a namespace's work that is not charged. Ordinary work is well under it (detecting an
 * object's transitions: ~0.2 ms; planning and rendering a transition: ~1 ms, a few more with many destinations),
 * so a large namespace's legitimate waves (a release touching thousands of Rollouts, the first list at start-up)
 * never use the share; slow templates and conditions, tens of milliseconds and more each time, do.
 */
export const FREE_MS_PER_PIECE = 10;

/**
 * The deadline of the conditions evaluated together (one object event's detection, one transition's planning:
 * src/triggers/condition-deadline.ts): the render time budget, or the namespace's share when that is less.
 */
function conditionDeadline(renderShareMs: number | undefined): ConditionDeadline {
  const timeMs = currentRenderBudget().timeMs;
  if (renderShareMs !== undefined && renderShareMs < timeMs) {
    return { at: Date.now() + renderShareMs, reason: SHARE_USED_FOR_CONDITIONS };
  }
  return { at: Date.now() + timeMs, reason: timeReason(timeMs) };
}

/** The time budget's reason, made once per budget (a deadline is made for every object event). */
let timeReasonOf: { timeMs: number; text: string } | undefined;
function timeReason(timeMs: number): string {
  if (timeReasonOf?.timeMs !== timeMs) {
    timeReasonOf = {
      timeMs,
      text: `the conditions of one object took longer than ${timeMs} ms together (RENDER_TIMEOUT_MS)`,
    };
  }
  return timeReasonOf.text;
}

export interface RenderShareOptions {
  /** Percent of wall-clock time one namespace may spend rendering, averaged (1–100). */
  percent: number;
  /** Most a namespace may spend at once (a full bucket), ms. */
  burstMs: number;
  now?: () => number;
}

interface Bucket {
  ms: number;
  at: number;
}

export class RenderShare {
  readonly percent: number;
  readonly burstMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(o: RenderShareOptions) {
    this.percent = Math.min(100, Math.max(1, o.percent));
    this.burstMs = Math.max(1, o.burstMs);
    this.#now = o.now ?? Date.now;
  }

  /** Milliseconds the namespace may spend now (≤ 0: none until it refills). */
  available(namespace: string): number {
    return this.#bucket(namespace).ms;
  }

  /** Counts `ms` of the namespace's rendering or config loading. */
  charge(namespace: string, ms: number): void {
    if (!(ms > 0)) return;
    this.#bucket(namespace).ms -= ms;
  }

  /** Milliseconds until the namespace has time again (0 when it has some now). */
  waitMs(namespace: string): number {
    const b = this.#bucket(namespace);
    return b.ms > 0 ? 0 : Math.ceil((1 - b.ms) / (this.percent / 100));
  }

  #bucket(namespace: string): Bucket {
    const now = this.#now();
    let b = this.#buckets.get(namespace);
    if (!b) {
      b = { ms: this.burstMs, at: now };
      if (this.#buckets.size >= MAX_NAMESPACES)
        this.#buckets.delete(this.#buckets.keys().next().value as string);
      this.#buckets.set(namespace, b);
      return b;
    }
    if (now > b.at) {
      b.ms = Math.min(this.burstMs, b.ms + ((now - b.at) * this.percent) / 100);
      b.at = now;
    }
    return b;
  }
}
