import { describe, expect, it } from "vitest";
import {
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
} from "../../src/subscriptions/label-selector.ts";

describe("label selectors", () => {
  const m = (sel: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

  it("equality, inequality, sets, existence", () => {
    expect(m("app=web", { app: "web" })).toBe(true);
    expect(m("app==web", { app: "web" })).toBe(true);
    expect(m("app!=web", { app: "api" })).toBe(true);
    expect(m("app!=web", {})).toBe(true);
    expect(m("env in (prod, staging)", { env: "staging" })).toBe(true);
    expect(m("env notin (prod)", { env: "prod" })).toBe(false);
    expect(m("env notin (prod)", {})).toBe(true);
    expect(m("canary", { canary: "" })).toBe(true);
    expect(m("!canary", { canary: "" })).toBe(false);
    expect(
      m("app.kubernetes.io/name=web, tier in (a,b)", { "app.kubernetes.io/name": "web", tier: "b" }),
    ).toBe(true);
    expect(m("", {})).toBe(true);
  });

  it("rejects malformed selectors with a message naming the requirement", () => {
    expect(() => parseLabelSelector("app in (a")).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector("app=web,,x")).toThrow(/empty requirement/);
    expect(() => parseLabelSelector("app ~ web")).toThrow(/invalid requirement "app ~ web"/);
    expect(() => parseLabelSelector("app in (a b)")).toThrow(/invalid label value/);
  });
});
