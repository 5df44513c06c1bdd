// `helm lint` (also --strict) over the value sets the chart supports, and values.schema.json rejecting bad input.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_DIR, helmTemplate, helmWithValues, MINIMAL_VALUES } from "./render-chart.ts";
import { VALUE_SETS } from "./value-sets.ts";

describe("helm lint", () => {
  for (const [name, values] of Object.entries(VALUE_SETS)) {
    it(`passes --strict with ${name}`, () => {
      const res = helmWithValues(["lint", "--strict", CHART_DIR], values);
      expect(res.status, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
      expect(res.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    });
  }

  it("passes without --strict on the bare defaults", () => {
    const res = helmWithValues(["lint", CHART_DIR], {});
    expect(res.status, res.stdout + res.stderr).toBe(0);
  });
});

describe("values.schema.json", () => {
  it("is JSON Schema draft-07 and closes the top level", () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).toBe(false);
    // every top-level key of values.yaml is described
    const values = readFileSync(join(CHART_DIR, "values.yaml"), "utf8");
    const topKeys = [...values.matchAll(/^([A-Za-z][A-Za-z0-9]*):/gm)].map((m) => m[1]!);
    for (const k of topKeys) expect(Object.keys(schema.properties)).toContain(k);
  });

  it("every top-level value is in the docs/helm.md values table", () => {
    const docs = readFileSync(join(CHART_DIR, "../../docs/helm.md"), "utf8");
    const values = readFileSync(join(CHART_DIR, "values.yaml"), "utf8");
    for (const [, k] of values.matchAll(/^([A-Za-z][A-Za-z0-9]*):/gm)) {
      expect(docs, `docs/helm.md does not mention ${k}`).toMatch(new RegExp(`\`${k}[\`.]`));
    }
  });

  const rejected: [string, unknown, RegExp][] = [
    ["a wrong type", { ...MINIMAL_VALUES, replicaCount: "two" }, /replicaCount/],
    ["an unknown top-level key", { ...MINIMAL_VALUES, replicas: 3 }, /replicas/],
    ["an unknown nested key", { ...MINIMAL_VALUES, worker: { enable: true } }, /enable/],
    ["a bad log level", { ...MINIMAL_VALUES, logLevel: "verbose" }, /logLevel/],
    ["a bad namespace name", { ...MINIMAL_VALUES, watch: { namespaces: ["Team_A"] } }, /namespaces/],
    ["a non-redis URL", { redis: { url: "http://redis:6379" } }, /url/],
    ["a bad pull policy", { ...MINIMAL_VALUES, image: { pullPolicy: "Sometimes" } }, /pullPolicy/],
    ["zero replicas", { ...MINIMAL_VALUES, replicaCount: 0 }, /replicaCount/],
    [
      "a non-boolean embedded Redis auth switch",
      { redis: { embedded: { auth: { enabled: "disabled" } } } },
      /enabled/,
    ],
    ["an unknown embedded Redis auth key", { redis: { embedded: { auth: { password: "x" } } } }, /password/],
    [
      "an empty embedded Redis password key",
      { redis: { embedded: { auth: { passwordKey: "" } } } },
      /passwordKey/,
    ],
  ];
  for (const [what, values, names] of rejected) {
    it(`rejects ${what} with a message naming the value`, () => {
      const res = helmTemplate(values);
      expect(res.status).not.toBe(0);
      expect(res.stderr).toContain("values don't meet the specifications of the schema");
      expect(res.stderr).toMatch(names);
    });
  }
});
