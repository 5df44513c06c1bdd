// NODE_OPTIONS derived from the container memory limit (values nodeHeap): V8's heap sizing is the same on every
// host, and the benchmark runs the service with exactly these flags (bench/chart-node-flags.ts); the same for
// glibc's malloc settings (values malloc, MALLOC_* variables).
import { describe, expect, it } from "vitest";
import { FULLNAME, find, helmTemplate, type Manifest, MINIMAL_VALUES, renderChart } from "./render-chart.ts";

function envOf(manifests: Manifest[], name: string): Record<string, string | undefined> {
  const c = find(manifests, "Deployment", name).spec.template.spec.containers[0];
  return Object.fromEntries((c.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
}

const withLimit = (memory: string | undefined) => ({
  ...MINIMAL_VALUES,
  resources: { requests: { memory: "128Mi" }, limits: { memory: memory ?? null } }, // null removes the default limit (helm merges values)
});

describe("chart: V8 heap flags from the memory limit", () => {
  it("derives --max-old-space-size from the default limit (384Mi → 60 % = 230 MiB)", () => {
    const env = envOf(renderChart(MINIMAL_VALUES), FULLNAME);
    expect(env.NODE_OPTIONS).toBe("--max-old-space-size=230 --max-semi-space-size=16");
  });

  it.each([
    ["1Gi", 614],
    ["512Mi", 307],
    ["500M", 285], // 476 MiB,
    ["1G", 571], // 953 MiB,
    ["1.5Gi", 921],
    ["402653184", 230],
  ])("limit %s → old space %i MiB", (memory, old) => {
    const env = envOf(renderChart(withLimit(memory)), FULLNAME);
    expect(env.NODE_OPTIONS).toBe(`--max-old-space-size=${old} --max-semi-space-size=16`);
  });

  it("leaves NODE_OPTIONS unset without a limit, and takes nodeHeap.nodeOptions verbatim", () => {
    expect(envOf(renderChart(withLimit(undefined)), FULLNAME).NODE_OPTIONS).toBeUndefined();
    const custom = renderChart({ ...MINIMAL_VALUES, nodeHeap: { nodeOptions: "--max-old-space-size=999" } });
    expect(envOf(custom, FULLNAME).NODE_OPTIONS).toBe("--max-old-space-size=999");
  });

  it("sizes the worker Deployment from the worker's own limit", () => {
    const m = renderChart({
      ...MINIMAL_VALUES,
      worker: { enabled: true, resources: { limits: { memory: "256Mi" } } },
    });
    expect(envOf(m, `${FULLNAME}-worker`).NODE_OPTIONS).toBe(
      "--max-old-space-size=153 --max-semi-space-size=16",
    );
  });

  it("rejects a limit that is not a memory quantity, or leaves too little heap, with a clear error", () => {
    const bad = helmTemplate(withLimit("lots"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('resources.limits.memory "lots" is not a memory quantity');
    const small = helmTemplate(withLimit("64Mi"));
    expect(small.status).not.toBe(0);
    expect(small.stderr).toContain("leaves 38 MiB of V8 old space");
  });
});

describe("chart: glibc malloc settings", () => {
  it("sets MALLOC_ARENA_MAX and fixed mmap/trim thresholds by default, in each Deployment", () => {
    const m = renderChart({ ...MINIMAL_VALUES, worker: { enabled: true } });
    for (const name of [FULLNAME, `${FULLNAME}-worker`])
      expect(envOf(m, name)).toMatchObject({
        MALLOC_ARENA_MAX: "2",
        MALLOC_MMAP_THRESHOLD_: "131072",
        MALLOC_TRIM_THRESHOLD_: "131072",
      });
  });

  it("leaves a variable unset at 0 (glibc's default)", () => {
    const env = envOf(
      renderChart({
        ...MINIMAL_VALUES,
        malloc: { arenaMax: 0, mmapThresholdBytes: 0, trimThresholdBytes: 65536 },
      }),
      FULLNAME,
    );
    expect(env.MALLOC_ARENA_MAX).toBeUndefined();
    expect(env.MALLOC_MMAP_THRESHOLD_).toBeUndefined();
    expect(env.MALLOC_TRIM_THRESHOLD_).toBe("65536");
  });
});
