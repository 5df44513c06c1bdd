import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idPart, objectIdentity, transitionId } from "../../src/triggers/identity.ts";

describe("transition ids", () => {
  it("never contain ':' (BullMQ job ids must not) and keep parts apart", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const id = transitionId("uid", "on-rollout-paused", a, b);
        expect(id).not.toContain(":");
        expect(id.split("/")).toHaveLength(4);
      }),
    );
  });

  it("encode injectively", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(idPart(a)).not.toBe(idPart(b));
      }),
    );
  });

  it("use the uid, or namespace.name when a document has none", () => {
    expect(objectIdentity({ uid: "u-1", namespace: "ns", name: "x" })).toBe("u-1");
    expect(objectIdentity({ namespace: "ns", name: "x" })).toBe("ns.x");
    expect(transitionId("u-1", "on-rollout-paused", "cond", "CanaryPauseStep@2026-01-01T10:00:00Z")).toBe(
      "u-1/on-rollout-paused/cond/CanaryPauseStep@2026-01-01T10%3A00%3A00Z",
    );
  });
});
