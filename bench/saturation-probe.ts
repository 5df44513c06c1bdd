// `npx node bench/saturation-probe.ts [burst] [-- node flags for the service]`: benchmark (b) (1,500 Rollouts, the
// chart's Node flags) with the service's process watched over the saturation burst, for finding where its time goes
// on a busy host: its main thread's time on a CPU and waiting for one (/proc/<pid>/task/<pid>/schedstat: a main
// thread that waits for a CPU shares the cores with V8's collector threads, Redis and this process), its CPU per
// delivery in user and system mode, and its read and write system calls per delivery (/proc/<pid>/io).
// Node flags after `--` go to the service after the chart's (a later flag wins: `-- --max-semi-space-size=8`);
// `--perf-basic-prof` there lets `perf record -g -p <pid>` (printed) name the service's JavaScript functions.
import { readFileSync } from "node:fs";
import { chartNodeFlags } from "./chart-node-flags.ts";
import { runPipelineBench } from "./pipeline-bench.ts";

const args = process.argv.slice(2);
const dashes = args.indexOf("--");
const burst = Number((dashes === 0 ? undefined : args[0]) ?? 8000);
const extraNodeArgs = dashes >= 0 ? args.slice(dashes + 1) : [];
const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Reading {
  onCpuMs: number;
  waitingMs: number;
  userTicks: number;
  systemTicks: number;
  readCalls: number;
  writeCalls: number;
}

function read(pid: number): Reading {
  const [onCpuNs, waitingNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8")
    .split(" ")
    .map(Number);
  // /proc/<pid>/stat: the fields after the command's closing parenthesis; utime and stime are the 12th and 13th
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const ioField = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? Number.NaN);
  return {
    onCpuMs: onCpuNs! / 1e6,
    waitingMs: waitingNs! / 1e6,
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
    readCalls: ioField("syscr"),
    writeCalls: ioField("syscw"),
  };
}

const chart = chartNodeFlags();
const result = await runPipelineBench({
  rollouts: 1500,
  rate: 200,
  rateSeconds: 3,
  burst,
  nodeArgs: [...chart.nodeArgs, ...extraNodeArgs],
  env: chart.mallocEnv,
  log,
  burstProbe: (pids) => {
    const pid = pids[0]!;
    log(`service pid ${pid} (perf record -g -p ${pid} -- sleep 5)`);
    const before = read(pid);
    const t0 = performance.now();
    return {
      stop(deliveries) {
        const after = read(pid);
        const ms = performance.now() - t0;
        const tickMs = 10; // USER_HZ = 100 on Linux
        const per = (k: keyof Reading, scale = 1) =>
          (((after[k] - before[k]) * scale) / deliveries).toFixed(3);
        log(
          `burst of ${deliveries} in ${Math.round(ms)} ms: main thread on a CPU ${Math.round(after.onCpuMs - before.onCpuMs)} ms, ` +
            `waiting for a CPU ${Math.round(after.waitingMs - before.waitingMs)} ms`,
        );
        log(
          `per delivery: CPU user ${per("userTicks", tickMs)} ms, system ${per("systemTicks", tickMs)} ms ` +
            `(all threads); read calls ${per("readCalls")}, write calls ${per("writeCalls")}`,
        );
      },
    };
  },
});
log(
  `saturation ${Math.round(result.saturation.perSecond)} deliveries/s; service ${result.saturationProcess.cpuMsPerDelivery.toFixed(2)} ms, ` +
    `harness ${result.saturationHarness.harnessMsPerDelivery.toFixed(2)} ms, Redis ${result.saturationHarness.redisMsPerDelivery?.toFixed(2) ?? "?"} ms CPU per delivery`,
);
