import { describe, expect, it } from "vitest";
import { asNamespaceWork, FREE_MS_PER_PIECE, RenderShare } from "../../src/templates/render-share.ts";

describe("RenderShare: each namespace's share of rendering time", () => {
  const at = (t0: number) => {
    let now = t0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it("starts with the burst, is charged, refills at the percent of wall-clock time up to the burst", () => {
    const clock = at(1_000);
    const share = new RenderShare({ percent: 10, burstMs: 2_000, now: clock.now });
    expect(share.available("a")).toBe(2_000);
    share.charge("a", 2_500);
    expect(share.available("a")).toBe(-500);
    // 10 %: 500 ms of debt and 1 ms more take 5,010 ms
    expect(share.waitMs("a")).toBe(5_010);
    clock.advance(5_010);
    expect(share.available("a")).toBeCloseTo(1, 5);
    expect(share.waitMs("a")).toBe(0);
    clock.advance(60_000);
    expect(share.available("a")).toBe(2_000);
  });

  it("namespaces are charged apart", () => {
    const share = new RenderShare({ percent: 10, burstMs: 1_000, now: () => 0 });
    share.charge("a", 5_000);
    expect(share.available("a")).toBe(-4_000);
    expect(share.available("b")).toBe(1_000);
    share.charge("b", 0);
    share.charge("b", Number.NaN);
    expect(share.available("b")).toBe(1_000);
  });

  it("remembers at most 10,000 namespaces (the oldest starts full again)", () => {
    const share = new RenderShare({ percent: 10, burstMs: 1_000, now: () => 0 });
    share.charge("first", 1_000);
    for (let i = 0; i < 10_000; i++) share.available(`ns-${i}`);
    expect(share.available("first")).toBe(1_000);
  });

  it("keeps the percent within 1–100", () => {
    expect(new RenderShare({ percent: 0, burstMs: 1 }).percent).toBe(1);
    expect(new RenderShare({ percent: 500, burstMs: 1 }).percent).toBe(100);
  });
});

describe("asNamespaceWork", () => {
  it("charges a piece of work past FREE_MS_PER_PIECE, only where the share applies; ordinary work is free", () => {
    const share = new RenderShare({ percent: 1, burstMs: 1_000, now: () => 0 });
    const shares = { share, appliesTo: (ns: string) => ns === "team" };
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {}
    };
    expect(asNamespaceWork(shares, "team", (left) => left)).toBe(1_000);
    // ordinary work is free: only wall-clock time past FREE_MS_PER_PIECE is charged (a loaded host can stretch
    // a 2 ms piece past it: then only that part)
    const t0 = performance.now();
    asNamespaceWork(shares, "team", () => busy(2));
    const took = performance.now() - t0;
    expect(share.available("team")).toBeGreaterThanOrEqual(1_000 - Math.max(0, took - FREE_MS_PER_PIECE));
    if (took <= FREE_MS_PER_PIECE) expect(share.available("team")).toBe(1_000);
    const before = share.available("team");
    asNamespaceWork(shares, "team", () => busy(FREE_MS_PER_PIECE + 40));
    expect(share.available("team")).toBeLessThanOrEqual(before - 40);
    asNamespaceWork(shares, "other", () => busy(FREE_MS_PER_PIECE + 40));
    expect(share.available("other")).toBe(1_000);
    expect(asNamespaceWork(shares, "other", (left) => left)).toBeUndefined();
  });
});
