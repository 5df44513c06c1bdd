// `node bench/scale-only.ts [rollouts] [seconds]`: benchmarks (c) and (d) alone (bench/scale-bench.ts), with the
// chart's Node flags, for measuring memory without the whole `npm run bench`: RSS is comparable on a loaded host,
// timings are not (the load average is printed with the figures). Defaults: 10,000 Rollouts (+ 3 AnalysisRuns
// each), 10 s windows. Prints the result as JSON; writes nothing.
import { loadavg } from "node:os";
import { chartNodeFlags } from "./chart-node-flags.ts";
import { runScaleBench } from "./scale-bench.ts";

const rollouts = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 10);
if (!(rollouts > 0 && seconds > 0)) throw new Error("usage: node bench/scale-only.ts [rollouts] [seconds]");
const envText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ") || "no MALLOC_* settings";
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
const chart = chartNodeFlags();
// BENCH_EXTRA_NODE_ARGS (diagnostics, e.g. `--import ./memlog.mjs` or `--heapsnapshot-signal=SIGUSR2`) go after the chart's.
const extra = (process.env.BENCH_EXTRA_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
const loadAtStart = loadavg();
log(
  `service Node flags: ${chart.nodeArgs.join(" ") || "none"}; ${envText(chart.mallocEnv)}; load ${loadAtStart.map((l) => l.toFixed(1)).join(" ")}`,
);
const result = await runScaleBench({
  rollouts,
  runsPerRollout: 3,
  rate: 200,
  seconds,
  changedWhileDown: 200,
  nodeArgs: [...chart.nodeArgs, ...extra],
  env: chart.mallocEnv,
  log,
});
console.log(
  JSON.stringify(
    {
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg(),
      nodeArgs: chart.nodeArgs,
      mallocEnv: chart.mallocEnv,
      result,
    },
    null,
    2,
  ),
);
process.exit(0);
