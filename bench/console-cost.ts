// `node bench/console-cost.ts [--history-only] [--quick] [--rounds N] [--rate R]`: what the operator console
// costs the service. The pipeline benchmark (b) (Rollout status writes → `rollouts-notifier run` → webhook sink)
// runs with the console's per-notification work on (delivery history in Redis + Kubernetes Events on the Rollout:
// the defaults; with --history-only the history alone) and off (HISTORY_ENABLED=false, ROLLOUT_EVENTS=false).
//
// Method, so that a 10 % difference in p99 stands out of the noise of a shared machine: N short rounds per mode in
// ABBA order (off on, on off, off on, ...), each with its own fresh service child (the Helm chart's Node flags)
// and its own fresh Redis, on one Kubernetes API test server and world set up once (pipeline-rig.ts). The
// at-rate latencies of a mode's rounds are pooled (p99 of the pool) and each round's p99 kept; the on/off ratios
// get a 95 % bootstrap interval that resamples the pairs of neighbouring rounds (round-stats.ts). Every round is
// in the result file with the machine's load average at its start and end; none is dropped. Ratios, not timed
// assertions: bench/console-cost.json (bench/console-cost-history-only.json; --quick, a smoke run, writes
// *-quick.json, not kept).
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { chartNodeFlags } from "./chart-node-flags.ts";
import { type PipelineRound, runPipelineRound } from "./pipeline-bench.ts";
import { startPipelineRig } from "./pipeline-rig.ts";
import {
  bootstrapPairs,
  type Interval,
  median,
  pooledPercentile,
  sortedCopy,
  verdict,
} from "./round-stats.ts";
import { percentile } from "./stats.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const historyOnly = args.includes("--history-only");
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
/** Rounds per mode (pairs): ABBA wants an even number. */
const rounds = option("--rounds", quick ? 2 : 12);
const params = {
  rollouts: quick ? 300 : 1_500,
  rate: option("--rate", 200),
  warmSeconds: quick ? 1 : 2,
  rateSeconds: quick ? 3 : 8,
  burst: quick ? 500 : 2_000,
};
const LIMIT = 1.1; // the target: at most 10 % worse
/** Fewer pairs than this give an interval too narrow to trust (a smoke run): no verdict. */
const MIN_PAIRS_FOR_VERDICT = 8;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const OFF = { HISTORY_ENABLED: "false", ROLLOUT_EVENTS: "false" };
/** `--history-only`: "on" is the history without Rollout Events (to tell the two costs apart). */
const ON: Record<string, string> = historyOnly ? { ROLLOUT_EVENTS: "false" } : {};
type Mode = "off" | "on";

interface RoundRecord {
  pair: number;
  mode: Mode;
  /** 1-based position in the run. */
  order: number;
  load1AtStart: number;
  load1AtEnd: number;
  seconds: number;
  atRate: { count: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  maxRssMb: number;
  cpuMsPerDelivery: number;
  saturationPerSecond: number;
  duplicates: number;
  unmatched: number;
}
interface Measured {
  record: RoundRecord;
  sorted: Float64Array;
}

const chart = chartNodeFlags();
const started = Date.now();
log(
  `console cost (${historyOnly ? "history only" : "history + Rollout Events"}): ${availableParallelism()} cores, ` +
    `load ${loadavg()[0]!.toFixed(1)}, ${rounds} rounds per mode, service Node flags ${chart.nodeArgs.join(" ") || "none"}`,
);
const rig = await startPipelineRig({ rollouts: params.rollouts });
const pairs: { off: Measured; on: Measured }[] = [];
try {
  let order = 0;
  for (let p = 0; p < rounds; p++) {
    const pair: Partial<Record<Mode, Measured>> = {};
    for (const mode of p % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      order++;
      const load1AtStart = loadavg()[0]!;
      const t0 = performance.now();
      const r: PipelineRound = await runPipelineRound(rig, {
        ...params,
        nodeArgs: chart.nodeArgs,
        env: { ...chart.mallocEnv, ...(mode === "off" ? OFF : ON) },
      });
      const lat = r.atRateLatenciesMs;
      const record: RoundRecord = {
        pair: p + 1,
        mode,
        order,
        load1AtStart,
        load1AtEnd: loadavg()[0]!,
        seconds: (performance.now() - t0) / 1000,
        atRate: {
          count: lat.length,
          p50Ms: percentile(lat, 50),
          p90Ms: percentile(lat, 90),
          p99Ms: percentile(lat, 99),
          maxMs: percentile(lat, 100),
        },
        maxRssMb: r.atRateProcess.maxRssMb,
        cpuMsPerDelivery: r.atRateProcess.cpuMsPerDelivery,
        saturationPerSecond: r.saturation.perSecond,
        duplicates: r.duplicates,
        unmatched: r.unmatched,
      };
      pair[mode] = { record, sorted: sortedCopy(lat) };
      log(
        `${String(order).padStart(2)}. pair ${p + 1} ${mode.padEnd(3)}: p99 ${record.atRate.p99Ms.toFixed(1)} ms, ` +
          `p50 ${record.atRate.p50Ms.toFixed(1)} ms, RSS ${record.maxRssMb.toFixed(0)} MB, ` +
          `${record.cpuMsPerDelivery.toFixed(2)} ms CPU/delivery, ${record.saturationPerSecond.toFixed(0)}/s; ` +
          `load ${load1AtStart.toFixed(1)} → ${record.load1AtEnd.toFixed(1)}, ${record.seconds.toFixed(0)} s`,
      );
    }
    pairs.push(pair as { off: Measured; on: Measured });
  }
} finally {
  await rig.stop();
}

type Pair = (typeof pairs)[number];
const of = (ps: readonly Pair[], mode: Mode) => ps.map((p) => p[mode]);
const pooledP = (ps: readonly Pair[], mode: Mode, p: number) =>
  pooledPercentile(
    of(ps, mode).map((m) => m.sorted),
    p,
  );
const medianOf = (ps: readonly Pair[], mode: Mode, f: (r: RoundRecord) => number) =>
  median(of(ps, mode).map((m) => f(m.record)));

const round2 = (x: number) => Math.round(x * 100) / 100;
const summary = (mode: Mode) => {
  const p99s = of(pairs, mode).map((m) => m.record.atRate.p99Ms);
  return {
    rounds: pairs.length,
    latencies: of(pairs, mode).reduce((n, m) => n + m.sorted.length, 0),
    pooledP50Ms: round2(pooledP(pairs, mode, 50)),
    pooledP99Ms: round2(pooledP(pairs, mode, 99)),
    roundP99Ms: { median: median(p99s), min: Math.min(...p99s), max: Math.max(...p99s) },
    maxRssMb: medianOf(pairs, mode, (r) => r.maxRssMb),
    cpuMsPerDelivery: medianOf(pairs, mode, (r) => r.cpuMsPerDelivery),
    saturationPerSecond: medianOf(pairs, mode, (r) => r.saturationPerSecond),
    duplicates: of(pairs, mode).reduce((n, m) => n + m.record.duplicates, 0),
    unmatched: of(pairs, mode).reduce((n, m) => n + m.record.unmatched, 0),
  };
};
const on = summary("on");
const off = summary("off");

const medianRatio = (f: (r: RoundRecord) => number) => (ps: readonly Pair[]) =>
  medianOf(ps, "on", f) / medianOf(ps, "off", f);
const statistics: Record<string, (ps: readonly Pair[]) => number> = {
  p99Pooled: (ps) => pooledP(ps, "on", 99) / pooledP(ps, "off", 99),
  p99MedianOfRounds: medianRatio((r) => r.atRate.p99Ms),
  rss: medianRatio((r) => r.maxRssMb),
  cpuPerDelivery: medianRatio((r) => r.cpuMsPerDelivery),
  throughput: medianRatio((r) => r.saturationPerSecond),
};
const SEED = 15;
const ratio: Record<string, Interval> = {};
for (const [name, f] of Object.entries(statistics)) ratio[name] = bootstrapPairs(pairs, f, { seed: SEED });

const judge = (i: Interval) => (pairs.length < MIN_PAIRS_FOR_VERDICT ? "too few rounds" : verdict(i, LIMIT));
const loads = pairs.flatMap((p) => [p.off.record, p.on.record]).map((r) => r.load1AtStart);
const results = {
  date: new Date(started).toISOString(),
  measured: historyOnly ? "history only" : "history + Rollout Events",
  quick,
  method:
    "rounds per mode in ABBA order, fresh service child and Redis per round, one API test server and world; " +
    "p99 of the at-rate latencies pooled per mode; 95 % bootstrap intervals resampling on/off pairs of rounds",
  params: { ...params, roundsPerMode: rounds, bootstrap: { resamples: ratio.rss!.resamples, seed: SEED } },
  machine: {
    cores: availableParallelism(),
    node: process.version,
    serviceNodeArgs: chart.nodeArgs,
    load1: { atStart: loads[0], median: median(loads), min: Math.min(...loads), max: Math.max(...loads) },
  },
  on,
  off,
  ratio,
  /** Against the target (on at most 10 % worse), with the interval: "unresolved" when it spans 1.1. */
  verdict: {
    rss: judge(ratio.rss!),
    p99: judge(ratio.p99Pooled!),
    cpuPerDelivery: judge(ratio.cpuPerDelivery!),
  },
  rounds: pairs.flatMap((p) => [p.off.record, p.on.record]).sort((a, b) => a.order - b.order),
  seconds: (Date.now() - started) / 1000,
};
const file = `./console-cost${historyOnly ? "-history-only" : ""}${quick ? "-quick" : ""}.json`;
writeFileSync(new URL(file, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

const pct = (r: number) => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)} %`;
const withCi = (i: Interval) => `${pct(i.estimate).padStart(8)}  [${pct(i.low)}, ${pct(i.high)}]`;
const num = (x: number, digits: number, width: number) => x.toFixed(digits).padStart(width);
process.stdout.write(
  [
    `console cost, ${results.measured}: ${rounds} rounds per mode, load ${median(loads).toFixed(1)} ` +
      `(${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}) on ${availableParallelism()} cores, ` +
      `${results.seconds.toFixed(0)} s`,
    `measure                        console off   console on     on/off  [95 % interval]`,
    `p99 at ${params.rate}/s, pooled          ${num(off.pooledP99Ms, 1, 8)} ms  ${num(on.pooledP99Ms, 1, 8)} ms  ${withCi(ratio.p99Pooled!)}  ${results.verdict.p99}`,
    `p99 at ${params.rate}/s, median round    ${num(off.roundP99Ms.median, 1, 8)} ms  ${num(on.roundP99Ms.median, 1, 8)} ms  ${withCi(ratio.p99MedianOfRounds!)}`,
    `  rounds' p99 (min–max)         ${`${off.roundP99Ms.min.toFixed(0)}–${off.roundP99Ms.max.toFixed(0)}`.padStart(8)} ms  ${`${on.roundP99Ms.min.toFixed(0)}–${on.roundP99Ms.max.toFixed(0)}`.padStart(8)} ms`,
    `RSS at ${params.rate}/s (max)              ${num(off.maxRssMb, 0, 8)} MB  ${num(on.maxRssMb, 0, 8)} MB  ${withCi(ratio.rss!)}  ${results.verdict.rss}`,
    `CPU per delivery at ${params.rate}/s       ${num(off.cpuMsPerDelivery, 2, 8)} ms  ${num(on.cpuMsPerDelivery, 2, 8)} ms  ${withCi(ratio.cpuPerDelivery!)}  ${results.verdict.cpuPerDelivery}`,
    `deliveries/s at saturation      ${num(off.saturationPerSecond, 0, 8)}     ${num(on.saturationPerSecond, 0, 8)}     ${withCi(ratio.throughput!)}`,
    ...(on.duplicates + off.duplicates + on.unmatched + off.unmatched > 0
      ? [
          `NOT CLEAN: duplicates ${off.duplicates}/${on.duplicates}, unmatched ${off.unmatched}/${on.unmatched} (off/on)`,
        ]
      : []),
    `→ bench/${file.slice(2)}`,
    "",
  ].join("\n"),
);
