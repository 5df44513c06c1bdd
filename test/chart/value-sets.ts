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
  "embedded redis, password from an existing Secret, worker": {
    redis: { embedded: { auth: { existingSecret: "redis-auth", passwordKey: "password" } } },
    worker: { enabled: true },
  },
  "embedded redis without a password (unsafe)": {
    redis: { embedded: { auth: { enabled: false } } },
    networkPolicy: { enabled: true },
  },
  "existingSecret redis": { redis: { existingSecret: "redis", existingSecretKey: "url" } },
  "redis sentinel + passwords + TLS CA": {
    redis: {
      sentinel: { addresses: ["s-0.sentinel:26379", "s-1.sentinel:26379"], masterName: "main" },
      auth: { existingSecret: "redis-auth", sentinelPasswordKey: "sentinel-password" },
      tls: { enabled: true, existingSecret: "redis-ca" },
    },
  },
  "redis cluster + ACL user + client certificate": {
    redis: {
      cluster: { nodes: ["redis-0.redis:6379", "redis-1.redis:6379", "redis-2.redis:6379"] },
      username: "notifier",
      auth: { existingSecret: "redis-auth" },
      tls: { existingSecret: "redis-tls", certKey: "tls.crt", keyKey: "tls.key" },
    },
  },
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
