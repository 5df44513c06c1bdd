// Statistics over benchmark rounds measured in on/off pairs (bench/console-cost.ts): the percentile of the
// latencies of many rounds pooled, medians, and a bootstrap confidence interval of an on/off ratio that resamples
// whole pairs of rounds (the two rounds of a pair ran next to each other, so a change of the machine's load hits
// both). Pure: seeded, no clock, no I/O.
import { seededRandom } from "../test/support/seeded-random.ts";

/** Percentile as bench/stats.ts computes it (nearest rank, no interpolation), of values sorted ascending. */
function nearestRank(sortedLength: number, p: number): number {
  return Math.min(sortedLength - 1, Math.max(0, Math.ceil((p / 100) * sortedLength) - 1));
}

/**
 * The `p`th percentile of all the rounds' values pooled, each round given sorted ascending. Exact, but sorts only
 * the top of each round: the value at rank r from the top of the pool is among the top r of every round.
 */
export function pooledPercentile(roundsSorted: readonly Float64Array[], p: number): number {
  let n = 0;
  for (const r of roundsSorted) n += r.length;
  if (n === 0) return Number.NaN;
  const fromTop = n - nearestRank(n, p);
  let m = 0;
  for (const r of roundsSorted) m += Math.min(fromTop, r.length);
  const top = new Float64Array(m);
  let at = 0;
  for (const r of roundsSorted) {
    const k = Math.min(fromTop, r.length);
    top.set(r.subarray(r.length - k), at);
    at += k;
  }
  top.sort();
  return top[top.length - fromTop]!;
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The same seeded generator as the tests' (mulberry32), so that a result file's interval can be recomputed. */
export { seededRandom };

export interface Interval {
  /** The statistic on the pairs as measured. */
  estimate: number;
  /** Percentile bootstrap interval (`level`, e.g. 0.95) over `resamples` resamples of the pairs. */
  low: number;
  high: number;
  level: number;
  resamples: number;
}

/**
 * Bootstrap confidence interval of `statistic` (e.g. an on/off ratio) over pairs of rounds: each resample draws as
 * many pairs as there are, with replacement, and computes the statistic on them.
 */
export function bootstrapPairs<P>(
  pairs: readonly P[],
  statistic: (sample: readonly P[]) => number,
  opts: { resamples?: number; level?: number; seed?: number } = {},
): Interval {
  const resamples = opts.resamples ?? 2_000;
  const level = opts.level ?? 0.95;
  const random = seededRandom(opts.seed ?? 1);
  const estimate = statistic(pairs);
  const values = new Float64Array(resamples);
  const sample: P[] = new Array(pairs.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < pairs.length; i++) sample[i] = pairs[Math.floor(random() * pairs.length)]!;
    values[b] = statistic(sample);
  }
  values.sort();
  const tail = (1 - level) / 2;
  const at = (q: number) => values[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { estimate, low: at(tail), high: at(1 - tail), level, resamples };
}

/** Where a ratio stands against a limit (e.g. 1.1: at most 10 % worse), given its interval. */
export function verdict(interval: Interval, limit: number): "within" | "over" | "unresolved" {
  if (interval.high <= limit) return "within";
  if (interval.low > limit) return "over";
  return "unresolved";
}
