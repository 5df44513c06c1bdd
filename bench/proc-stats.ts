// RSS and CPU time of another process, from /proc (Linux): what `ps`/cAdvisor would report for the service.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  /** Resident set size now (MB). */
  rssMb: number;
  /** Peak resident set size so far (VmHWM, MB). */
  peakRssMb: number;
  /** User + system CPU seconds used so far. */
  cpuSeconds: number;
}

export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  // Fields after the command name (which may contain spaces) — utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return {
    rssMb: kb("VmRSS") / 1024,
    peakRssMb: kb("VmHWM") / 1024,
    cpuSeconds: (utime + stime) / clockTicks(),
  };
}

/** Samples a process every `everyMs` until stopped: max RSS seen, CPU seconds over the window. */
export function watchProcess(pid: number, everyMs = 250) {
  const first = sampleProcess(pid);
  const t0 = performance.now();
  let maxRssMb = first.rssMb;
  let last = first;
  const timer = setInterval(() => {
    try {
      last = sampleProcess(pid);
      maxRssMb = Math.max(maxRssMb, last.rssMb);
    } catch {
      // exited
    }
  }, everyMs);
  return {
    stop(): { maxRssMb: number; endRssMb: number; cpuSeconds: number; seconds: number; cpuPercent: number } {
      clearInterval(timer);
      try {
        last = sampleProcess(pid);
        maxRssMb = Math.max(maxRssMb, last.rssMb);
      } catch {
        // exited
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
      return {
        maxRssMb,
        endRssMb: last.rssMb,
        cpuSeconds,
        seconds,
        cpuPercent: (100 * cpuSeconds) / seconds,
      };
    },
  };
}
