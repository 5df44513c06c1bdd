// The value sets every chart-wide check runs over: defaults and each optional feature.
import { MINIMAL_VALUES } from "./render-chart.ts";

/** Name → values; each must render, lint clean and produce valid manifests. */
export const VALUE_SETS: Record<string, unknown> = {
  "no values (embedded Redis)": {},
  defaults: MINIMAL_VALUES,
  "worker + HPA": { ...MINIMAL_VALUES, worker: { enabled: true } },
  "serviceMonitor + prometheusRule": {
    ...MINIMAL_VALUES,
    metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
  },
  networkPolicy: {
    ...MINIMAL_VALUES,
    networkPolicy: { enabled: true, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
  },
  "embedded redis": { redis: { embedded: { enabled: true } }, networkPolicy: { enabled: true } },
  "existingSecret redis": { redis: { existingSecret: "redis", existingSecretKey: "url" } },
  "watch namespaces + selector": {
    ...MINIMAL_VALUES,
    watch: { namespaces: ["a", "b"], selector: "team in (x,y)" },
  },
  "config map + single replica": {
    ...MINIMAL_VALUES,
    replicaCount: 1,
    notifications: {
      configMap: { create: true, data: { "template.x": "message: {{.rollout.metadata.name}}" } },
    },
  },
};
