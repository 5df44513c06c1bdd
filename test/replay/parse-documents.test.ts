import { describe, expect, it } from "vitest";
import { parseReplayInput } from "../../src/replay/parse-documents.ts";

const rollout = (name: string, extra = "") =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: ${name}\n  namespace: ns${extra}`;

const summary = (text: string) =>
  parseReplayInput(text).map((i) =>
    i.ok
      ? { index: i.index, line: i.line, ok: true, type: "type" in i.input ? i.input.type : "object" }
      : { index: i.index, line: i.line, ok: false, message: i.message },
  );

describe("parseReplayInput: YAML", () => {
  it("reads a multi-document stream of objects and watch events; empty documents are skipped", () => {
    const text = [
      rollout("a"),
      "---",
      "type: ADDED",
      "object:",
      "  kind: AnalysisRun",
      "  metadata: {name: r, namespace: ns}",
      "---",
      "---",
      "type: DELETED",
      "object: {kind: Experiment, metadata: {name: e}}",
      "---",
    ].join("\n");
    expect(summary(text)).toEqual([
      { index: "1", line: 1, ok: true, type: "object" },
      { index: "2", line: 7, ok: true, type: "ADDED" },
      { index: "4", line: 13, ok: true, type: "DELETED" },
    ]);
  });

  it("names bad documents by index and line, and keeps the others", () => {
    const text = [
      rollout("a"),
      "---",
      "just a string",
      "---",
      "kind: Deployment",
      "metadata: {name: d}",
      "---",
      "kind: Rollout",
      "metadata: {name: [unclosed",
      "---",
      "- 1",
      "- 2",
      "---",
      "type: UPDATED",
      "object: {kind: Rollout, metadata: {name: x}}",
      "---",
      "kind: Rollout",
      "metadata: {namespace: ns}",
      "---",
      "kind: Rollout",
      "metadata: {name: s}",
      "status: [1]",
      "---",
      rollout("b"),
    ].join("\n");
    const out = summary(text);
    expect(out.map((o) => [o.index, o.ok])).toEqual([
      ["1", true],
      ["2", false],
      ["3", false],
      ["4", false],
      ["5", false],
      ["6", false],
      ["7", false],
      ["8", false],
      ["9", true],
    ]);
    const messages = out.filter((o) => !o.ok).map((o) => (o as { message: string }).message);
    expect(messages[0]).toBe("not an object (got a string)");
    expect(messages[1]).toMatch(/^unknown kind "Deployment"/);
    expect(messages[2]).toMatch(/^invalid YAML: /);
    expect(messages[3]).toBe("not an object (got a list)");
    expect(messages[4]).toMatch(
      /^watch event type "UPDATED" is not one of ADDED, MODIFIED, DELETED, BOOKMARK/,
    );
    expect(messages[5]).toBe("Rollout without metadata.name");
    expect(messages[6]).toBe("Rollout s: status is a list, not an object");
    // a broken YAML document is reported where the parser noticed (the unclosed flow collection, at the next ---)
    expect(out.map((o) => o.line)).toEqual([1, 7, 9, 14, 15, 18, 21, 24, 28]);
  });

  it("expands `kind: List` documents (kubectl get -o yaml)", () => {
    const text = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- {kind: Rollout, metadata: {name: a}}",
      "- {kind: Nope, metadata: {name: b}}",
      "- {kind: Namespace, metadata: {name: c}}",
    ].join("\n");
    expect(summary(text).map((o) => [o.index, o.ok])).toEqual([
      ["1.1", true],
      ["1.2", false],
      ["1.3", true],
    ]);
  });
});

describe("parseReplayInput: JSON", () => {
  it("reads JSON lines", () => {
    const text = [
      JSON.stringify({ type: "ADDED", object: { kind: "Rollout", metadata: { name: "a" } } }),
      JSON.stringify({ kind: "Rollout", metadata: { name: "a" } }),
      "",
    ].join("\n");
    expect(summary(text)).toEqual([
      { index: "1", line: 1, ok: true, type: "ADDED" },
      { index: "2", line: 2, ok: true, type: "object" },
    ]);
  });

  it("reads concatenated pretty-printed objects (kubectl get -w -o json), braces inside strings included", () => {
    const a = { kind: "Rollout", metadata: { name: "a", annotations: { x: '} { " }' } } };
    const b = { kind: "AnalysisRun", metadata: { name: "r" } };
    const text = `${JSON.stringify(a, null, 4)}\n${JSON.stringify(b, null, 4)}\n`;
    const out = parseReplayInput(text);
    expect(out.map((o) => (o.ok ? o.line : -1))).toEqual([1, 10]);
    expect(out[0]!.ok && out[0]!.input).toEqual(a);
  });

  it("reports a broken line and resumes at the next one", () => {
    const text = [
      JSON.stringify({ kind: "Rollout", metadata: { name: "a" } }),
      '{"kind": "Rollout", "metadata": {"name": ',
      JSON.stringify({ kind: "Rollout", metadata: { name: "c" } }),
      "42",
      '{"kind": "Rollout", "metadata": {"name": "d"}}}',
      JSON.stringify({ kind: "Rollout", metadata: { name: "e" } }),
    ].join("\n");
    const out = summary(text);
    expect(out.map((o) => [o.index, o.line, o.ok])).toEqual([
      ["1", 1, true],
      ["2", 2, false],
      ["3", 3, true],
      ["4", 4, false],
      ["5", 5, true],
      ["6", 5, false],
      ["7", 6, true],
    ]);
    expect((out[1] as { message: string }).message).toMatch(/^invalid JSON/);
    expect((out[3] as { message: string }).message).toBe("not an object (got a number)");
  });

  it("reports an unterminated last object", () => {
    const out = summary(
      `${JSON.stringify({ kind: "Rollout", metadata: { name: "a" } })}\n{"kind": "Rollout"`,
    );
    expect(out.map((o) => o.ok)).toEqual([true, false]);
  });
});
