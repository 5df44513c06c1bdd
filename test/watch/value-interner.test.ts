// The informer cache's shared subtrees: equal values become one frozen instance, no value changes, the table is
// bounded.
import { describe, expect, it } from "vitest";
import { ValueInterner } from "../../src/watch/value-interner.ts";

const metric = () => ({
  name: "success-rate",
  interval: "5m",
  successCondition: "result[0] >= 0.95",
  provider: { prometheus: { address: "http://prometheus:9090", query: "sum(rate(x[5m]))" } },
  args: [{ name: "service", value: "{{args.service-name}}" }],
});

describe("ValueInterner", () => {
  it("gives equal values one shared, deeply frozen instance and changes no value", () => {
    const interner = new ValueInterner();
    const first = metric();
    const second = metric();
    expect(interner.share(first)).toBe(first);
    const shared = interner.share(second);
    expect(shared).toBe(first);
    expect(shared).toEqual(metric());
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.provider.prometheus)).toBe(true);
    expect(Object.isFrozen(first.args[0])).toBe(true);
    // a reader that tried to change a shared value would change every object holding it: it fails instead
    expect(() => {
      (shared as { interval: string }).interval = "1m";
    }).toThrow(TypeError);
    expect(interner.size).toBe(1);
  });

  it("tells values apart by every field, key order included (JSON text)", () => {
    const interner = new ValueInterner();
    const a = metric();
    interner.share(a);
    const b = { ...metric(), interval: "1m" };
    expect(interner.share(b)).toBe(b);
    // the same fields in another order are another value: a reader can see key order (Object.keys, JSON)
    const { name, ...rest } = metric();
    const reordered = { ...rest, name };
    expect(interner.share(reordered)).toBe(reordered);
    expect(interner.share(metric())).toBe(a);
    expect(interner.share(["x"])).toEqual(["x"]);
    expect(interner.share("plain")).toBe("plain");
    expect(interner.share(null)).toBe(null);
  });

  it("leaves long values alone and starts over at maxBytes", () => {
    const interner = new ValueInterner({ maxLength: 40, maxBytes: 30 });
    const long = { text: "x".repeat(50) };
    expect(interner.share(long)).toBe(long);
    expect(Object.isFrozen(long)).toBe(false);
    expect(interner.size).toBe(0);
    interner.share({ a: 1 }); // 7 bytes
    interner.share({ b: 22 }); // 8
    interner.share({ c: 333 }); // 9
    expect(interner.size).toBe(3);
    interner.share({ d: 4444 }); // 10: 34 > 30, starts over
    expect(interner.size).toBe(1);
  });
});
