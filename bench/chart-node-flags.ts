// The Node flags the Helm chart gives the main Deployment's container (NODE_OPTIONS, derived from its memory
// limit: charts/rollouts-notifier, nodeHeap in values.yaml), read from the chart rendered by the real helm with
// its default resources — so the benchmark's service runs with what a user's pod runs with.
import { FULLNAME, find, MINIMAL_VALUES, renderChart } from "../test/chart/render-chart.ts";

export function chartNodeFlags(): { nodeArgs: string[]; memoryLimit: string | undefined } {
  const deployment = find(renderChart(MINIMAL_VALUES), "Deployment", FULLNAME);
  const container = deployment.spec.template.spec.containers[0];
  const env = (container.env ?? []) as { name: string; value?: string }[];
  const nodeOptions = env.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
  return {
    nodeArgs: nodeOptions.split(/\s+/).filter(Boolean),
    memoryLimit: container.resources?.limits?.memory,
  };
}
