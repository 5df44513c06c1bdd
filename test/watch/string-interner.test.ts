// The informer cache's shared strings: values unchanged, the table bounded.
import { describe, expect, it } from "vitest";
import { StringInterner } from "../../src/watch/string-interner.ts";

describe("StringInterner", () => {
  it("replaces string values in place and changes nothing else", () => {
    const interner = new StringInterner();
    const value = {
      a: "argoproj.io/v1alpha1",
      n: 3,
      b: true,
      z: null,
      list: ["x", { deep: "argoproj.io/v1alpha1", more: [1, "y"] }],
    };
    const before = structuredClone(value);
    interner.internDeep(value);
    expect(value).toEqual(before);
    expect(interner.size).toBe(3); // "argoproj.io/v1alpha1", "x", "y"
  });

  it("leaves long strings alone and starts over at maxEntries", () => {
    const interner = new StringInterner({ maxEntries: 2, maxLength: 5 });
    expect(interner.intern("long string")).toBe("long string");
    expect(interner.size).toBe(0);
    interner.intern("a");
    interner.intern("b");
    interner.intern("a");
    expect(interner.size).toBe(2);
    interner.intern("c");
    expect(interner.size).toBe(1);
  });

  it("stops at maxDepth instead of recursing without bound", () => {
    const interner = new StringInterner();
    let deep: Record<string, unknown> = { s: "bottom" };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    interner.internDeep(deep, 10);
    expect(interner.size).toBe(0);
  });
});
