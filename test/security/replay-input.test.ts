// Hostile recorded histories: alias bombs, huge documents, deep nesting and too many documents are errors naming
// the document (index and line); the other documents are still read; the CLI exits non-zero without a stack trace.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseReplayInput } from "../../src/replay/parse-documents.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

const rollout = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: ${name}\n  namespace: ns`;

const ALIAS_BOMB = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
  "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
].join("\n");

const summary = (items: ReturnType<typeof parseReplayInput>) =>
  items.map((i) => (i.ok ? `${i.index}@${i.line} ok` : `${i.index}@${i.line} ${i.message}`));

describe("bounded replay parsing", () => {
  it("an alias bomb is an error of its document; the others are read", () => {
    const text = [rollout("a"), "---", ALIAS_BOMB, "---", rollout("b")].join("\n");
    expect(summary(parseReplayInput(text))).toEqual([
      "1@1 ok",
      expect.stringMatching(/^2@7 invalid YAML: .*alias/i),
      "3@14 ok",
    ]);
  });

  it("a document over the size limit is named and not parsed (50 MB of small keys ran out of memory before)", () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `  k${i}: v`).join("\n");
    const text = [
      rollout("a"),
      "---",
      `kind: Rollout\nmetadata:\n  name: big\nspec:\n${many}`,
      "---",
      rollout("b"),
    ].join("\n");
    expect(summary(parseReplayInput(text, { maxDocumentBytes: 10_000 }))).toEqual([
      "1@1 ok",
      expect.stringMatching(/^2@6 document of \d+ bytes is over the limit of 10000 bytes; not parsed$/),
      expect.stringMatching(/^3@\d+ ok$/),
    ]);
    const json = `${JSON.stringify({ kind: "Rollout", metadata: { name: "a" } })}\n${JSON.stringify({ kind: "Rollout", metadata: { name: "big" }, spec: { x: "y".repeat(20_000) } })}\n${JSON.stringify({ kind: "Rollout", metadata: { name: "b" } })}\n`;
    expect(summary(parseReplayInput(json, { maxDocumentBytes: 10_000 }))).toEqual([
      "1@1 ok",
      expect.stringMatching(/^2@2 document of \d+ bytes is over the limit/),
      "3@3 ok",
    ]);
  });

  it("nesting beyond the limit is an error (YAML and JSON), never a stack overflow", () => {
    const deepJson = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const json = `${JSON.stringify({ kind: "Rollout", metadata: { name: "a" } })}\n{"kind":"Rollout","metadata":{"name":"d"},"spec":{"x":${deepJson}}}\n`;
    expect(summary(parseReplayInput(json))).toEqual([
      "1@1 ok",
      expect.stringMatching(/^2@2 (nested deeper than 64|invalid JSON)/),
    ]);
    const deepYaml = `kind: Rollout\nmetadata: {name: d}\nspec: ${"[".repeat(100)}${"]".repeat(100)}`;
    expect(summary(parseReplayInput([deepYaml, "---", rollout("b")].join("\n")))).toEqual([
      "1@1 nested deeper than 64 levels; not read",
      "2@5 ok",
    ]);
  });

  it("documents beyond the count limit are one error naming where reading stopped", () => {
    const text = Array.from({ length: 5 }, (_, i) => rollout(`r${i}`)).join("\n---\n");
    expect(summary(parseReplayInput(text, { maxDocuments: 3 }))).toEqual([
      "1@1 ok",
      "2@7 ok",
      "3@13 ok",
      "4@19 more than 3 documents: this one and the rest are not read",
    ]);
  });

  it("`replay` on an alias bomb: named on stderr, the rest replayed, exit 1, no stack trace", async () => {
    const input = [rollout("a"), "---", ALIAS_BOMB, "---", rollout("b")].join("\n");
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          join(root, "node_modules/.bin/node"),
          [join(root, "src/cli/main.ts"), "replay", "-", "--explain"],
          {
            cwd: root,
            stdio: ["pipe", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += d;
        });
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/document 2 \(line 7\).*alias/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
