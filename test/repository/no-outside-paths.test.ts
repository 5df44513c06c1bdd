import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryFiles } from "../support/repository-files.ts";

const ROOT = process.cwd();

const OUTSIDE_PATHS: { name: string; re: RegExp }[] = [
  { name: "absolute path under the machine's work folder", re: /(?<![\w.\-~])\x2fwork(?![\w.-])/ },
  { name: "absolute path under a home folder", re: /(?<![\w.\-~])\x2f(?:root|home\x2f[\w.-]+)\x2f/ },
  { name: "relative path into a sibling shared folder", re: /\.\.[\\/]+shared\b/ },
];

/** `file:line: text` for every line of `text` that names a path outside the repository. */
function outsidePathLines(file: string, text: string): string[] {
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const { name, re } of OUTSIDE_PATHS) {
      if (re.test(line)) out.push(`${file}:${i + 1}: ${name}: ${line.trim().slice(0, 160)}`);
    }
  });
  return out;
}

describe("the repository is self-contained", () => {
  it("the patterns catch what they are meant to and let ordinary paths through", () => {
    const work = ["", "work", "shared", "fixtures"].join("/");
    const flagged = [
      `const F = "${work}/argo-rollouts";`,
      `readFileSync("${["..", "shared", "x.yaml"].join("/")}")`,
      `cd ${["", "work"].join("/")} && npm test`,
      `url: file://${work}`,
      `HOME=${["", "root", ".cache"].join("/")}`,
      `${["", "home", "dev", "repo"].join("/")}`,
    ];
    for (const line of flagged) expect(outsidePathLines("x", line), line).toHaveLength(1);
    const allowed = [
      ["https://github.com/argoproj/argo-rollouts", "work", "x"].join("/"),
      "test/fixtures/argo-rollouts/canary/canary-rollout.yaml",
      "only /tmp is writable",
      `a teamwork/ folder, src/network/ or ${[".", "work", ""].join("/")} inside the repo`,
      "../fixtures/argo-rollouts",
    ];
    for (const line of allowed) expect(outsidePathLines("x", line), line).toEqual([]);
  });

  it("no project file names a path outside the repository", () => {
    const files = repositoryFiles(ROOT);
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const path = join(ROOT, file);
      if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
      const bytes = readFileSync(path);
      if (bytes.includes(0)) continue; // binary
      found.push(...outsidePathLines(file, bytes.toString("utf8")));
    }
    expect(found).toEqual([]);
  });
});
