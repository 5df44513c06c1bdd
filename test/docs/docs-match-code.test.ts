// The documentation describes what exists: every `rollouts-notifier <command> [<subcommand>]` written in code in
// README.md and docs/*.md is a command of the real CLI's --help; every environment variable of docs/settings.md is
// read in src/, and every one the settings code reads is in docs/settings.md; relative links point at files.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const DOCS = ["README.md", ...readdirSync("docs").map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);

/** Text inside fenced code blocks and inline code spans. */
function codeOf(markdown: string): string[] {
  const out: string[] = [];
  const fence = /^```[^\n]*\n([\s\S]*?)^```/gm;
  for (const m of markdown.matchAll(fence)) out.push(...m[1]!.split("\n"));
  const prose = markdown.replace(fence, "");
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) out.push(m[1]!);
  return out;
}

interface Mention {
  file: string;
  commands: string[];
  subcommands: string[];
  text: string;
}

/** `rollouts-notifier X [Y]` where it starts a command (line start, after `$ `, `&&`, `|`, `;`, or `alias …='`). */
function mentions(file: string): Mention[] {
  const out: Mention[] = [];
  const re = /(?:^|[;&|(]\s*|\$\s+|=')\s*rollouts-notifier\s+([a-z][a-z|\\-]*)(?:\s+([a-z][a-z|\\-]*))?/g;
  for (const line of codeOf(readFileSync(file, "utf8"))) {
    for (const m of line.matchAll(re)) {
      const split = (s: string | undefined) => (s ? s.split(/\\?\|/).filter(Boolean) : []);
      out.push({ file, commands: split(m[1]), subcommands: split(m[2]), text: m[0].trim() });
    }
  }
  return out;
}

/** Command names listed under "Commands:" in a --help output. */
function helpCommands(help: string): string[] {
  const section = help.split(/^Commands:\s*$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!);
}

async function help(...args: string[]): Promise<string> {
  return (await run(process.execPath, ["src/cli/main.ts", ...args, "--help"])).stdout;
}

function srcFiles(dir = "src"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("docs match the code", () => {
  it("every rollouts-notifier command in README.md and docs/ exists in --help", {
    timeout: 60_000,
  }, async () => {
    const all = DOCS.flatMap(mentions);
    expect(all.length).toBeGreaterThan(10);
    const top = helpCommands(await help());
    expect(top).toContain("run");
    const withSubcommands = [
      ...new Set(all.filter((m) => m.subcommands.length > 0).flatMap((m) => m.commands)),
    ];
    const subs = new Map<string, string[]>();
    await Promise.all(
      withSubcommands
        .filter((c) => top.includes(c))
        .map(async (c) => subs.set(c, helpCommands(await help(c)))),
    );
    const problems: string[] = [];
    for (const m of all) {
      for (const c of m.commands) {
        if (!top.includes(c)) problems.push(`${m.file}: "${m.text}": no command "${c}"`);
        const known = subs.get(c) ?? [];
        if (known.length === 0) continue; // a command without subcommands: the next word is an argument
        for (const s of m.subcommands) {
          if (!known.includes(s)) problems.push(`${m.file}: "${m.text}": "${c}" has no subcommand "${s}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every environment variable in docs/settings.md is read in src/, and every one the settings read is documented", () => {
    const table = readFileSync("docs/settings.md", "utf8")
      .split("\n")
      .filter((l) => l.startsWith("|"));
    const documented = table.flatMap((row) => {
      const env = row.split("|")[2] ?? "";
      return [...env.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
    });
    expect(documented).toContain("REDIS_URL");
    const sources = srcFiles().map((f) => readFileSync(f, "utf8"));
    const read = (name: string) =>
      sources.some(
        (s) => s.includes(`env.${name}`) || s.includes(`env["${name}"]`) || s.includes(`"${name}"`),
      );
    expect(documented.filter((name) => !read(name))).toEqual([]);

    const settingsCode = readFileSync("src/cli/settings.ts", "utf8");
    const usedBySettings = [
      ...new Set(
        [...settingsCode.matchAll(/env\.([A-Z][A-Z0-9_]+)|"([A-Z][A-Z0-9_]{2,})"/g)].map(
          (m) => m[1] ?? m[2]!,
        ),
      ),
    ];
    expect(usedBySettings.length).toBeGreaterThan(15);
    expect(usedBySettings.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("relative links in README.md and docs/ point at existing files", () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split("#")[0]!;
        if (!target || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${file}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
