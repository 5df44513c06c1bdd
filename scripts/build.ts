// `npm run build`: compiles src/ to dist/ (tsc -p tsconfig.build.json; extra arguments such as --outDir go to
// tsc), then copies the files tsc does not emit but the compiled code reads at run time: src/**/*.lua.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const tsc = join(root, "node_modules", ".bin", "tsc");
execFileSync(tsc, ["-p", join(root, "tsconfig.build.json"), ...args], { stdio: "inherit", cwd: root });

const outFlag = args.indexOf("--outDir");
const outDir = resolve(root, outFlag >= 0 && args[outFlag + 1] ? args[outFlag + 1]! : "dist");
const src = join(root, "src");
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".lua")) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(outDir, relative(src, from)));
  copied++;
}
console.log(`build: ${relative(root, outDir) || "."} + ${copied} Lua script(s)`);
