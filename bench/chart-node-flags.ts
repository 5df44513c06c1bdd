// The Node flags the Helm chart gives the main Deployment's container (NODE_OPTIONS, derived from its memory
// limit: charts/rollouts-notifier, nodeHeap in values.yaml) and its glibc malloc settings (MALLOC_*, values
// malloc), read from the chart rendered by the real helm with its default values — so the benchmark's service
// runs with what a user's pod runs with.
import { FULLNAME, find, MINIMAL_VALUES, renderChart } from "../test/chart/render-chart.ts";

export function chartNodeFlags(): {
  nodeArgs: string[];
  /** The container's MALLOC_* variables, for the service's environment. */
  mallocEnv: Record<string, string>;
  memoryLimit: string | undefined;
} {
  // BENCH_CHART_VALUES (JSON) renders the chart with these values too, e.g. '{"malloc":{"arenaMax":0}}' for an A/B
  const extra = process.env.BENCH_CHART_VALUES ? (JSON.parse(process.env.BENCH_CHART_VALUES) as object) : {};
  const deployment = find(renderChart({ ...MINIMAL_VALUES, ...extra }), "Deployment", FULLNAME);
  const container = deployment.spec.template.spec.containers[0];
  const env = (container.env ?? []) as { name: string; value?: string }[];
  const nodeOptions = env.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
  return {
    nodeArgs: nodeOptions.split(/\s+/).filter(Boolean),
    mallocEnv: Object.fromEntries(
      env.filter((e) => e.name.startsWith("MALLOC_") && e.value !== undefined).map((e) => [e.name, e.value!]),
    ),
    memoryLimit: container.resources?.limits?.memory,
  };
}
