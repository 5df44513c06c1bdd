// The service as its container image runs it: the CLI compiled to JavaScript (`npm run build`, what the Dockerfile
// ships and bin/rollouts-notifier.js prefers), not the TypeScript sources through Node's type stripping. Stripping
// loads Node's TypeScript parser into the process (measured: +28 MB RSS, +5 MB heap, +8 MB external after the
// service's imports) that no pod carries, so a benchmark of the sources reports memory a user never sees.
// Built once per benchmark process into .cache/bench-dist (git-ignored; inside the repository so that the
// compiled files resolve node_modules). BENCH_SERVICE_FROM_SOURCE=1 runs src/cli/main.ts instead (no build);
// BENCH_SERVICE_ENTRY=<path> runs that CLI entry as it is (A/B against another commit's build in the same run).
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const OUT_DIR = join(ROOT, ".cache", "bench-dist");
let built: Promise<string> | undefined;

/** The path of the CLI entry the benchmark's service child runs. */
export function serviceEntry(): Promise<string> {
  if (process.env.BENCH_SERVICE_ENTRY) return Promise.resolve(resolve(ROOT, process.env.BENCH_SERVICE_ENTRY));
  if (process.env.BENCH_SERVICE_FROM_SOURCE === "1") return Promise.resolve(join(ROOT, "src/cli/main.ts"));
  built ??= promisify(execFile)(process.execPath, [join(ROOT, "scripts/build.ts"), "--outDir", OUT_DIR], {
    cwd: ROOT,
  }).then(() => join(OUT_DIR, "cli/main.js"));
  return built;
}
