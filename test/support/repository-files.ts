// The repository's files, for tests that read or copy the whole project: the tracked ones (git ls-files); without
// git (an unpacked tarball), every file but dependencies and build output. Paths relative to `root`.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

export function repositoryFiles(root: string): string[] {
  try {
    return execFileSync("git", ["ls-files", "-z"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .split("\0")
      .filter(Boolean);
  } catch {
    const skip = new Set([".git", "node_modules", "dist", "coverage", ".cache"]);
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (skip.has(e.name)) continue;
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.isFile()) out.push(relative(root, join(dir, e.name)));
      }
    };
    walk(root);
    return out;
  }
}
