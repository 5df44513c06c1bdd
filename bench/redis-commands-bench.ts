// `npx node bench/redis-commands-bench.ts [--rollouts N] [--burst N] [--monitor] [--slowlog] [--json FILE]`:
// benchmark (b) (pipeline-bench.ts) with the Redis work of its saturation burst counted: `INFO commandstats` (calls and usec per
// command, the commands scripts run included) and `INFO cpu` of the server, per delivery. Counts do not depend
// on how loaded the host is, unlike deliveries/s. --monitor also names each script call (EVAL/EVALSHA by the
// script's SHA: BullMQ's scripts and ours); MONITOR itself costs the server CPU, so leave it off for timings.
// --slowlog times each command and script call (SLOWLOG at 0 µs: wall time in the server, so a busy host inflates
// it; read it for proportions between scripts: BullMQ's moveToFinished against our claim, for instance).
import { createHash } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Redis } from "ioredis";
import { LuaScript } from "../src/redis/lua-script.ts";
import { startRedis } from "../test/support/redis-server.ts";
import { runPipelineBench } from "./pipeline-bench.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) =>
  args.includes(name) ? String(args[args.indexOf(name) + 1]) : dflt;
const rollouts = Number(arg("--rollouts", "1500"));
const burst = Number(arg("--burst", "4000"));
const monitor = args.includes("--monitor");
const slowlog = args.includes("--slowlog");
const jsonFile = args.includes("--json") ? arg("--json", "") : undefined;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** SHA → script name: BullMQ's scripts (as ioredis defines them) and ours (src/**.lua, includes expanded). */
function scriptNames(): Map<string, string> {
  const names = new Map<string, string>();
  const sha = (s: string) => createHash("sha1").update(s).digest("hex");
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("bullmq")), "scripts");
  for (const f of readdirSync(dir).filter((f) => /^\w+-\d+\.js$/.test(f))) {
    const mod = require(join(dir, f)) as Record<string, { name: string; content: string }>;
    for (const v of Object.values(mod)) if (v?.content) names.set(sha(v.content), `bull:${v.name}`);
  }
  const root = new URL("../src/", import.meta.url).pathname;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".lua")) {
        const src = LuaScript.load(pathToFileURL(p)).source;
        names.set(sha(src), `rn:${p.slice(root.length)}`);
        names.set(`src:${src}`, `rn:${p.slice(root.length)}`);
      }
    }
  };
  walk(root);
  return names;
}

const parseInfo = (text: string): Map<string, string> =>
  new Map(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(":") && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
  );

/** Bytes the server read and wrote so far (INFO stats): what the clients sent it and got back. */
const netBytes = async (c: Redis) => {
  const i = parseInfo(await c.info("stats"));
  return { in: Number(i.get("total_net_input_bytes")), out: Number(i.get("total_net_output_bytes")) };
};

const cpuSeconds = async (c: Redis) => {
  const i = parseInfo(await c.info("cpu"));
  return Number(i.get("used_cpu_sys")) + Number(i.get("used_cpu_user"));
};

const names = monitor || slowlog ? scriptNames() : new Map<string, string>();
const scriptCalls = new Map<string, number>();
/** Bytes of the arguments sent, per script or top-level command (MONITOR). */
const sentBytes = new Map<string, number>();
const innerCalls = new Map<string, number>();
const slowTimes = new Map<string, { calls: number; usec: number }>();
let measuring: Promise<void> = Promise.resolve();
let result:
  | {
      commands: Record<string, { calls: number; usec: number }>;
      cpuSeconds: number;
      bytesIn: number;
      bytesOut: number;
    }
  | undefined;
let net0 = { in: 0, out: 0 };

const redis = await startRedis();
const admin = redis.client();
let mon: Redis | undefined;
let cpu0 = 0;
const pipeline = await runPipelineBench({
  rollouts,
  rate: 200,
  rateSeconds: 3,
  burst,
  startRedis: async () => ({
    ...redis,
    stop: async () => {
      await measuring;
      await redis.stop();
    },
  }),
  log: (msg) => {
    log(msg);
    if (msg.startsWith("(b) at ")) {
      // the burst starts 500 ms after this line
      measuring = (async () => {
        if (monitor) {
          mon = (await admin.monitor()) as unknown as Redis;
          let current = "";
          mon.on("monitor", (_time: string, argv: string[], source: string) => {
            const cmd = String(argv[0]).toLowerCase();
            const bytes = argv.reduce((n, a) => n + Buffer.byteLength(String(a)), 0);
            if (cmd === "evalsha" || cmd === "eval") {
              const key = cmd === "evalsha" ? String(argv[1]) : `src:${argv[1]}`;
              current = names.get(key) ?? `${cmd}:${String(argv[1]).slice(0, 12)}`;
              scriptCalls.set(current, (scriptCalls.get(current) ?? 0) + 1);
              const k = `${cmd} ${current}`;
              sentBytes.set(k, (sentBytes.get(k) ?? 0) + bytes);
            } else if (!source.includes("lua")) {
              sentBytes.set(cmd, (sentBytes.get(cmd) ?? 0) + bytes);
            }
            if (source.includes("lua") && cmd !== "evalsha" && cmd !== "eval") {
              const k = `${current} ${cmd}`;
              innerCalls.set(k, (innerCalls.get(k) ?? 0) + 1);
            }
          });
        }
        if (slowlog) {
          await admin.config("SET", "slowlog-log-slower-than", "0");
          await admin.config("SET", "slowlog-max-len", "1000000");
          await admin.slowlog("RESET");
        }
        await admin.config("RESETSTAT");
        cpu0 = await cpuSeconds(admin);
        net0 = await netBytes(admin);
      })();
    } else if (msg.startsWith("(b) saturation:")) {
      measuring = (async () => {
        await measuring;
        const cpu1 = await cpuSeconds(admin);
        const net1 = await netBytes(admin);
        const stats = parseInfo(await admin.info("commandstats"));
        mon?.disconnect();
        if (slowlog) {
          const entries = (await admin.slowlog("GET", "-1")) as [number, number, number, string[]][];
          await admin.config("SET", "slowlog-log-slower-than", "10000");
          for (const [, , usec, argv] of entries) {
            const cmd = String(argv[0]).toLowerCase();
            const name =
              cmd === "evalsha"
                ? (names.get(String(argv[1])) ?? `evalsha:${String(argv[1]).slice(0, 8)}`)
                : cmd === "eval"
                  ? `eval:${String(argv[1]).slice(0, 24)}`
                  : cmd;
            const s = slowTimes.get(name) ?? { calls: 0, usec: 0 };
            s.calls++;
            s.usec += usec;
            slowTimes.set(name, s);
          }
        }
        const commands: Record<string, { calls: number; usec: number }> = {};
        for (const [k, v] of stats) {
          const m = /calls=(\d+),usec=(\d+)/.exec(v);
          if (m) commands[k.replace(/^cmdstat_/, "")] = { calls: Number(m[1]), usec: Number(m[2]) };
        }
        result = {
          commands,
          cpuSeconds: cpu1 - cpu0,
          bytesIn: net1.in - net0.in,
          bytesOut: net1.out - net0.out,
        };
      })();
    }
  },
});
if (!result) throw new Error("no measurement");
const r = result as NonNullable<typeof result>;
const n = pipeline.saturation.count;
const per = (x: number) => (x / n).toFixed(2);
const rows = Object.entries(r.commands).sort((a, b) => b[1].calls - a[1].calls);
const total = rows.filter(([k]) => k !== "info" && k !== "config|resetstat");
const totalCalls = total.reduce((s, [, v]) => s + v.calls, 0);
const totalUsec = total.reduce((s, [, v]) => s + v.usec, 0);
console.log(
  `saturation ${n} deliveries: ${pipeline.saturation.perSecond.toFixed(0)}/s; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `per delivery: ${per(totalCalls)} commands (incl. inside scripts), ${per(totalUsec)} usec in commands, Redis CPU ${((r.cpuSeconds * 1e6) / n).toFixed(0)} usec, ${per(r.bytesIn)} bytes in, ${per(r.bytesOut)} bytes out`,
);
console.log("command                         calls/delivery  usec/delivery");
for (const [k, v] of rows)
  console.log(`${k.padEnd(32)}${per(v.calls).padStart(14)}${per(v.usec).padStart(15)}`);
if (monitor) {
  console.log("\nscript calls/delivery (MONITOR)");
  for (const [k, v] of [...scriptCalls].sort((a, b) => b[1] - a[1]))
    console.log(`${k.padEnd(48)}${per(v).padStart(8)}`);
  console.log("\nbytes sent per delivery, by script or command (MONITOR: arguments, without RESP framing)");
  for (const [k, v] of [...sentBytes].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`${k.padEnd(48)}${per(v).padStart(10)}`);
  console.log("\ncommands inside scripts/delivery (MONITOR)");
  for (const [k, v] of [...innerCalls].sort((a, b) => b[1] - a[1]).slice(0, 60))
    console.log(`${k.padEnd(60)}${per(v).padStart(8)}`);
}
if (slowlog) {
  console.log("\ncommand or script (SLOWLOG)                      calls/delivery  usec/delivery  usec/call");
  for (const [k, v] of [...slowTimes].sort((a, b) => b[1].usec - a[1].usec))
    console.log(
      `${k.padEnd(48)}${per(v.calls).padStart(14)}${per(v.usec).padStart(15)}${(v.usec / v.calls).toFixed(1).padStart(11)}`,
    );
}
if (jsonFile)
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        deliveries: n,
        perSecond: pipeline.saturation.perSecond,
        loadavg: loadavg(),
        cpuUsecPerDelivery: (r.cpuSeconds * 1e6) / n,
        bytesInPerDelivery: r.bytesIn / n,
        bytesOutPerDelivery: r.bytesOut / n,
        commands: r.commands,
        scripts: Object.fromEntries(scriptCalls),
        duplicates: pipeline.duplicates,
        unmatched: pipeline.unmatched,
      },
      null,
      2,
    ),
  );
if (pipeline.duplicates || pipeline.unmatched)
  throw new Error(`duplicates ${pipeline.duplicates}, unmatched ${pipeline.unmatched}`);
process.exit(0);
