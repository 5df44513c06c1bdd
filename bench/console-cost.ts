// `node bench/console-cost.ts [--quick] [--rounds N] [--rate R] [--history-only]`: what the operator console costs the service. The
// pipeline benchmark (b) (Rollout status writes → `rollouts-notifier run` → webhook sink) runs with the console's
// per-notification work on (delivery history in Redis + Kubernetes Events on the Rollout: the defaults) and off
// (HISTORY_ENABLED=false, ROLLOUT_EVENTS=false), alternating, N rounds each. Reported as ratios on/off of the
// service's max RSS and CPU per delivery during the at-rate phase, p99 latency at that rate, and saturation throughput (the
// target: at most 10 % worse). Ratios, not timed assertions: results go to bench/console-cost.json.
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { type PipelineResult, runPipelineBench } from "./pipeline-bench.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : quick ? 1 : 2;
const rate = args.includes("--rate") ? Number(args[args.indexOf("--rate") + 1]) : 200;
const params = quick
  ? { rollouts: 300, rate, rateSeconds: 5, burst: 1_000 }
  : { rollouts: 1_500, rate, rateSeconds: 10, burst: 4_000 };
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const OFF = { HISTORY_ENABLED: "false", ROLLOUT_EVENTS: "false" };
/** `--history-only`: "on" is the history without Rollout Events (to tell the two costs apart). */
const ON: Record<string, string> = args.includes("--history-only") ? { ROLLOUT_EVENTS: "false" } : {};
const runs: { on: PipelineResult[]; off: PipelineResult[] } = { on: [], off: [] };
const started = Date.now();
log(`console cost: ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}, ${rounds} round(s)`);
for (let i = 0; i < rounds; i++) {
  for (const mode of i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
    log(`round ${i + 1}: console ${mode}`);
    runs[mode].push(await runPipelineBench({ ...params, env: mode === "off" ? OFF : ON, log }));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const summary = (rs: PipelineResult[]) => ({
  maxRssMb: median(rs.map((r) => r.atRateProcess.maxRssMb)),
  cpuMsPerDelivery: median(rs.map((r) => r.atRateProcess.cpuMsPerDelivery)),
  p50Ms: median(rs.map((r) => r.atRate.p50Ms)),
  p99Ms: median(rs.map((r) => r.atRate.p99Ms)),
  perSecond: median(rs.map((r) => r.saturation.perSecond)),
  duplicates: rs.reduce((n, r) => n + r.duplicates, 0),
});
const on = summary(runs.on);
const off = summary(runs.off);
const ratio = {
  rss: on.maxRssMb / off.maxRssMb,
  cpuPerDelivery: on.cpuMsPerDelivery / off.cpuMsPerDelivery,
  p99: on.p99Ms / off.p99Ms,
  throughput: on.perSecond / off.perSecond,
};
const results = {
  date: new Date(started).toISOString(),
  measured: args.includes("--history-only") ? "history only" : "history + Rollout Events",
  quick,
  rounds,
  params,
  machine: { cores: availableParallelism(), loadAverage1mAtStart: loadavg()[0], node: process.version },
  on,
  off,
  ratio,
  withinTenPercent: { rss: ratio.rss <= 1.1, p99: ratio.p99 <= 1.1 },
  seconds: (Date.now() - started) / 1000,
};
writeFileSync(new URL("./console-cost.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const pct = (r: number) => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)} %`;
process.stdout.write(
  [
    "measure                     console off   console on   on/off",
    `RSS at ${params.rate}/s (max)           ${off.maxRssMb.toFixed(0).padStart(6)} MB  ${on.maxRssMb.toFixed(0).padStart(8)} MB   ${pct(ratio.rss)}`,
    `CPU per delivery at ${params.rate}/s    ${off.cpuMsPerDelivery.toFixed(2).padStart(6)} ms  ${on.cpuMsPerDelivery.toFixed(2).padStart(8)} ms   ${pct(ratio.cpuPerDelivery)}`,
    `p99 at ${params.rate}/s                 ${off.p99Ms.toFixed(0).padStart(6)} ms  ${on.p99Ms.toFixed(0).padStart(8)} ms   ${pct(ratio.p99)}`,
    `deliveries/s at saturation  ${off.perSecond.toFixed(0).padStart(9)}  ${on.perSecond.toFixed(0).padStart(11)}   ${pct(ratio.throughput)}`,
    "",
  ].join("\n"),
);
