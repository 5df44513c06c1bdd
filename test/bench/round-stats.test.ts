// The statistics bench:console draws its verdict from (bench/round-stats.ts): the pooled percentile must be the
// percentile of all values together, and the bootstrap interval reproducible and around the estimate.
import { describe, expect, it } from "vitest";
import {
  bootstrapPairs,
  median,
  pooledPercentile,
  seededRandom,
  sortedCopy,
  verdict,
} from "../../bench/round-stats.ts";
import { percentile } from "../../bench/stats.ts";

describe("pooledPercentile", () => {
  it("equals the percentile of the rounds' values concatenated, for rounds of any sizes", () => {
    const random = seededRandom(7);
    for (const sizes of [[1], [3, 0, 5], [200, 1_000, 17], [2_000, 2_000, 2_000, 1_999]]) {
      const rounds = sizes.map((n) => Array.from({ length: n }, () => Math.round(random() * 1e6) / 100));
      const all = rounds.flat();
      for (const p of [0, 1, 50, 90, 99, 99.9, 100]) {
        expect(pooledPercentile(rounds.map(sortedCopy), p)).toBe(percentile(all, p));
      }
    }
  });

  it("is NaN with no values", () => {
    expect(pooledPercentile([new Float64Array(0)], 99)).toBeNaN();
  });
});

describe("bootstrapPairs", () => {
  const random = seededRandom(3);
  const pairs = Array.from({ length: 12 }, () => ({ off: 100 + random() * 10, on: 120 + random() * 10 }));
  const ratio = (ps: readonly { off: number; on: number }[]) =>
    median(ps.map((p) => p.on)) / median(ps.map((p) => p.off));

  it("gives the statistic on the pairs as measured, inside an interval that the same seed reproduces", () => {
    const a = bootstrapPairs(pairs, ratio, { seed: 15 });
    const b = bootstrapPairs(pairs, ratio, { seed: 15 });
    expect(a).toEqual(b);
    expect(a.estimate).toBe(ratio(pairs));
    expect(a.low).toBeLessThanOrEqual(a.estimate);
    expect(a.high).toBeGreaterThanOrEqual(a.estimate);
    expect(a.low).toBeGreaterThan(1.1);
    expect(verdict(a, 1.1)).toBe("over");
  });

  it("is a single point when every pair is the same, and judges it against the limit", () => {
    const same = Array.from({ length: 8 }, () => ({ off: 100, on: 105 }));
    const i = bootstrapPairs(same, ratio);
    expect([i.low, i.estimate, i.high]).toEqual([1.05, 1.05, 1.05]);
    expect(verdict(i, 1.1)).toBe("within");
    expect(verdict({ ...i, low: 1.05, high: 1.15 }, 1.1)).toBe("unresolved");
  });
});
