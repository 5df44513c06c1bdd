// Non-default value sets, each rendered by the real helm and checked object by object.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { expectLeastPrivilege, ruleStrings } from "./rbac-checks.ts";
import {
  container,
  envOf,
  FULLNAME,
  find,
  findAll,
  type Manifest,
  MINIMAL_VALUES,
  NAMESPACE,
  renderChart,
} from "./render-chart.ts";

const CONFIG = {
  configMap: "argo-rollouts-notification-configmap",
  secret: "argo-rollouts-notification-secret",
};

describe("worker.enabled", () => {
  const manifests = renderChart({ ...MINIMAL_VALUES, worker: { enabled: true, concurrency: 32 } });
  const main = find(manifests, "Deployment", FULLNAME);
  const worker = find(manifests, "Deployment", `${FULLNAME}-worker`);

  it("splits watching (main Deployment, mode watcher) from delivery (worker Deployment, mode worker)", () => {
    expect(container(main).args).toEqual(["watcher"]);
    expect(container(worker).args).toEqual(["worker"]);
    expect(envOf(container(worker)).WORKER_CONCURRENCY).toBe("32");
    expect(envOf(container(worker)).REDIS_URL).toEqual(envOf(container(main)).REDIS_URL);
    expect(container(worker).securityContext).toEqual(container(main).securityContext);
    expect(container(worker).readinessProbe.httpGet.path).toBe("/readyz");
    // disjoint selectors: each Deployment owns its own pods
    expect(worker.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe("worker");
    expect(main.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe("notifier");
    // the metrics Service scrapes both
    const svc = find(manifests, "Service", FULLNAME);
    for (const d of [main, worker]) {
      for (const [k, v] of Object.entries(svc.spec.selector)) {
        expect(d.spec.template.metadata.labels[k]).toBe(v);
      }
    }
  });

  it("autoscales the workers with an autoscaling/v2 HPA (which then owns replicas)", () => {
    const hpa = find(manifests, "HorizontalPodAutoscaler");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: `${FULLNAME}-worker`,
    });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpa.spec.metrics[0]).toEqual({
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
    });
    expect(worker.spec.replicas).toBeUndefined();
    expect(container(worker).resources.requests.cpu).toBeDefined(); // utilization needs a request
  });

  it("has a PDB per Deployment", () => {
    const pdbs = findAll(manifests, "PodDisruptionBudget");
    expect(pdbs.map((p) => p.spec.selector.matchLabels["app.kubernetes.io/component"]).sort()).toEqual([
      "notifier",
      "worker",
    ]);
  });

  it("without autoscaling, sets the worker replicas", () => {
    const fixed = renderChart({
      ...MINIMAL_VALUES,
      worker: { enabled: true, replicas: 3, autoscaling: { enabled: false } },
    });
    expect(find(fixed, "Deployment", `${FULLNAME}-worker`).spec.replicas).toBe(3);
    expect(findAll(fixed, "HorizontalPodAutoscaler")).toEqual([]);
  });
});

describe("metrics.serviceMonitor and metrics.prometheusRule", () => {
  const manifests = renderChart({
    ...MINIMAL_VALUES,
    metrics: {
      serviceMonitor: { enabled: true, labels: { release: "kube-prometheus" } },
      prometheusRule: { enabled: true },
    },
  });

  it("scrapes the metrics port of this release's Service", () => {
    const sm = find(manifests, "ServiceMonitor");
    expect(sm.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(sm.metadata.labels.release).toBe("kube-prometheus");
    expect(sm.spec.endpoints).toEqual([
      { port: "http-metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" },
    ]);
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    const svc = find(manifests, "Service", FULLNAME);
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
    expect(svc.spec.ports.map((p: Manifest) => p.name)).toContain("http-metrics");
  });

  it("alerts on dead letters, delivery failure rate, no leader and unsynced watches, on the service's metric names", () => {
    const rule = find(manifests, "PrometheusRule");
    const rules = rule.spec.groups[0].rules as Manifest[];
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(Object.keys(byName).sort()).toEqual([
      "RolloutsNotifierDeadLetters",
      "RolloutsNotifierDeliveryFailures",
      "RolloutsNotifierNoLeader",
      "RolloutsNotifierWatchNotSynced",
    ]);
    const sel = `{namespace="${NAMESPACE}",job="${FULLNAME}"}`;
    expect(byName.RolloutsNotifierDeadLetters.expr).toContain(`rollouts_notifier_dead_letters${sel}`);
    expect(byName.RolloutsNotifierDeliveryFailures.expr).toContain(
      `rollouts_notifier_notifications_failed_total${sel}[10m]`,
    );
    expect(byName.RolloutsNotifierDeliveryFailures.expr).toContain(
      `rollouts_notifier_notifications_delivered_total${sel}[10m]`,
    );
    expect(byName.RolloutsNotifierDeliveryFailures.expr).toMatch(/> 0\.1\s*$/);
    expect(byName.RolloutsNotifierNoLeader.expr).toContain(`absent(rollouts_notifier_leader${sel})`);
    expect(byName.RolloutsNotifierWatchNotSynced.expr).toContain(`rollouts_notifier_informers_synced${sel}`);
    for (const r of rules) {
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      // every metric an alert uses is one the service exports (src/server/metrics.ts)
      for (const metric of r.expr.match(/rollouts_notifier_[a-z_]+/g) ?? []) {
        expect(
          [
            "rollouts_notifier_dead_letters",
            "rollouts_notifier_notifications_failed_total",
            "rollouts_notifier_notifications_delivered_total",
            "rollouts_notifier_leader",
            "rollouts_notifier_informers_synced",
          ],
          r.alert,
        ).toContain(metric);
      }
    }
    // Prometheus templating survives Helm templating
    expect(byName.RolloutsNotifierDeadLetters.annotations.description).toContain("{{ $value }}");
  });

  it("takes a custom series selector", () => {
    const custom = renderChart({
      ...MINIMAL_VALUES,
      metrics: { prometheusRule: { enabled: true, selector: 'cluster="eu1"' } },
    });
    const rules = find(custom, "PrometheusRule").spec.groups[0].rules as Manifest[];
    expect(rules[0]!.expr).toContain('rollouts_notifier_dead_letters{cluster="eu1"}');
    expect(findAll(custom, "ServiceMonitor")).toEqual([]);
  });
});

describe("networkPolicy.enabled", () => {
  it("admits only the HTTP port, from the given peers; egress stays open unless rules are given", () => {
    const peers = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }];
    const manifests = renderChart({
      ...MINIMAL_VALUES,
      networkPolicy: { enabled: true, metricsFrom: peers },
    });
    const np = find(manifests, "NetworkPolicy", FULLNAME);
    expect(np.spec.policyTypes).toEqual(["Ingress"]);
    const testPod = {
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": "rollouts-notifier-test",
          "app.kubernetes.io/instance": "rn",
          "app.kubernetes.io/component": "test",
        },
      },
    };
    expect(np.spec.ingress).toEqual([
      { ports: [{ port: "http", protocol: "TCP" }], from: [...peers, testPod] },
    ]);
    const deployment = find(manifests, "Deployment", FULLNAME);
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) {
      expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    }
  });

  it("with egress rules, allows DNS and the embedded Redis besides them", () => {
    const egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] }];
    const manifests = renderChart({
      redis: { embedded: { enabled: true } },
      networkPolicy: { enabled: true, egress },
    });
    const np = find(manifests, "NetworkPolicy", FULLNAME);
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.egress[0].ports).toContainEqual({ port: 53, protocol: "UDP" });
    expect(np.spec.egress[1].ports).toEqual([{ port: 6379, protocol: "TCP" }]);
    expect(np.spec.egress.at(-1)).toEqual(egress[0]);
    // Redis admits only the notifier pods
    const redisNp = find(manifests, "NetworkPolicy", `${FULLNAME}-redis`);
    expect(redisNp.spec.ingress[0].from[0].podSelector.matchLabels).toEqual(np.spec.podSelector.matchLabels);
    expect(redisNp.spec.egress).toEqual([]);
  });
});

describe("redis.embedded.enabled", () => {
  const manifests = renderChart({ redis: { embedded: { enabled: true } } });
  const sts = find(manifests, "StatefulSet", `${FULLNAME}-redis`);
  const redis = container(sts);

  it("runs one Redis with appendonly and noeviction, on a PVC", () => {
    expect(sts.spec.replicas).toBe(1);
    const args = redis.args as string[];
    expect(args[args.indexOf("--appendonly") + 1]).toBe("yes");
    expect(args[args.indexOf("--maxmemory-policy") + 1]).toBe("noeviction");
    expect(args[args.indexOf("--dir") + 1]).toBe("/data");
    expect(redis.volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("1Gi");
    expect(redis.image).toMatch(/^redis:\d+\.\d+\.\d+/); // pinned
  });

  it("has the same security posture as the service, as the redis image allows", () => {
    expect(redis.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it("points REDIS_URL at the Redis Service, which selects only the Redis pod", () => {
    const svc = find(manifests, "Service", `${FULLNAME}-redis`);
    const secret = find(manifests, "Secret", `${FULLNAME}-redis-url`);
    expect(Buffer.from(secret.data["redis-url"], "base64").toString()).toBe(
      `redis://${FULLNAME}-redis.${NAMESPACE}.svc:6379`,
    );
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    const notifierSvc = find(manifests, "Service", FULLNAME);
    const redisPodLabels = sts.spec.template.metadata.labels;
    const notifierSelectsRedis = Object.entries(notifierSvc.spec.selector).every(
      ([k, v]) => redisPodLabels[k] === v,
    );
    expect(notifierSelectsRedis).toBe(false);
  });

  it("uses an emptyDir without persistence", () => {
    const ephemeral = renderChart({
      redis: { embedded: { enabled: true, persistence: { enabled: false } } },
    });
    const s = find(ephemeral, "StatefulSet");
    expect(s.spec.volumeClaimTemplates).toBeUndefined();
    expect(s.spec.template.spec.volumes).toContainEqual({ name: "data", emptyDir: {} });
  });
});

describe("redis.existingSecret", () => {
  const manifests = renderChart({ redis: { existingSecret: "my-redis", existingSecretKey: "url" } });

  it("reads REDIS_URL from the user's Secret and creates none", () => {
    expect(envOf(container(find(manifests, "Deployment"))).REDIS_URL).toEqual({
      secretKeyRef: { name: "my-redis", key: "url" },
    });
    expect(findAll(manifests, "Secret")).toEqual([]);
    expect(find(manifests, "Deployment").spec.template.metadata.annotations ?? {}).not.toHaveProperty(
      "checksum/redis-url",
    );
  });
});

describe("watch.namespaces and watch.selector", () => {
  const manifests = renderChart({
    ...MINIMAL_VALUES,
    watch: { namespaces: ["team-a", "team-b"], selector: "notify=true" },
    notifications: { configMapName: "my-config", secretName: "my-secret" },
  });

  it("passes them to the service", () => {
    const env = envOf(container(find(manifests, "Deployment")));
    expect(env.WATCH_NAMESPACES).toBe("team-a,team-b");
    expect(env.WATCH_SELECTOR).toBe("notify=true");
    expect(env.NOTIFIER_CONFIGMAP).toBe("my-config");
    expect(env.NOTIFIER_SECRET).toBe("my-secret");
  });

  it("grants the namespaced reads only in the watched namespaces, namespaces read cluster-wide", () => {
    expectLeastPrivilege(manifests, { configMap: "my-config", secret: "my-secret" });
    expect(ruleStrings(find(manifests, "ClusterRole", FULLNAME))).toEqual([
      "authentication.k8s.io/tokenreviews:create",
      "authorization.k8s.io/subjectaccessreviews:create",
      "core/namespaces:get,list,watch",
    ]);
    expect(ruleStrings(find(manifests, "ClusterRole", `${FULLNAME}-watched`))).toEqual([
      "argoproj.io/analysisruns:get,list,watch",
      "argoproj.io/experiments:get,list,watch",
      "argoproj.io/rollouts:get,list,watch",
      "core/configmaps:get,list,watch[my-config]",
      "core/events:create,patch",
      "core/secrets:get,list,watch[my-secret]",
    ]);
    const bindings = findAll(manifests, "RoleBinding").filter((b) => b.roleRef.kind === "ClusterRole");
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(["team-a", "team-b"]);
    for (const b of bindings) {
      expect(b.roleRef.name).toBe(`${FULLNAME}-watched`);
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: FULLNAME, namespace: NAMESPACE }]);
    }
    // its own config and Lease stay readable in its own namespace, which is not watched here
    expect(ruleStrings(find(manifests, "Role", FULLNAME))).toContain(
      "core/configmaps:get,list,watch[my-config]",
    );
  });

  it("does not collide when the release namespace is itself watched", () => {
    const both = renderChart({ ...MINIMAL_VALUES, watch: { namespaces: [NAMESPACE, "team-a"] } });
    const inOwn = findAll(both, "RoleBinding").filter((b) => b.metadata.namespace === NAMESPACE);
    expect(new Set(inOwn.map((b) => b.metadata.name)).size).toBe(inOwn.length);
    expect(inOwn).toHaveLength(2);
  });
});

describe("notifications.configMap.create", () => {
  it("renders the upstream-format ConfigMap verbatim, Go templates untouched", () => {
    const template = "message: Rollout {{.rollout.metadata.name}} has been completed.\n";
    const manifests = renderChart({
      ...MINIMAL_VALUES,
      notifications: {
        configMap: {
          create: true,
          data: {
            "service.slack": { token: "$slack-token" },
            "template.rollout-completed": template,
            defaultTriggers: "- on-rollout-completed\n",
          },
        },
      },
    });
    const cm = find(manifests, "ConfigMap", CONFIG.configMap);
    expect(cm.metadata.namespace).toBe(NAMESPACE);
    expect(cm.data["template.rollout-completed"]).toBe(template);
    expect(parse(cm.data["service.slack"])).toEqual({ token: "$slack-token" }); // structured values become YAML
    expect(cm.data.defaultTriggers).toBe("- on-rollout-completed\n");
    expect(findAll(renderChart(MINIMAL_VALUES), "ConfigMap")).toEqual([]);
  });
});

describe("scheduling and extras", () => {
  it("passes through pod placement, annotations, pull secrets, extra env and args", () => {
    const manifests = renderChart({
      ...MINIMAL_VALUES,
      image: { repository: "registry.local/rn", tag: "dev", pullPolicy: "Always" },
      imagePullSecrets: [{ name: "regcred" }],
      podAnnotations: { "example.com/a": "1" },
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }],
      affinity: { nodeAffinity: {} },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
      ],
      extraEnv: [{ name: "RESYNC_SECONDS", value: "300" }],
      extraArgs: ["--log-level", "debug"],
    });
    const d = find(manifests, "Deployment");
    const pod = d.spec.template.spec;
    expect(container(d).image).toBe("registry.local/rn:dev");
    expect(container(d).imagePullPolicy).toBe("Always");
    expect(container(d).args).toEqual(["run", "--log-level", "debug"]);
    expect(envOf(container(d)).RESYNC_SECONDS).toBe("300");
    expect(pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(d.spec.template.metadata.annotations["example.com/a"]).toBe("1");
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(pod.tolerations[0].key).toBe("dedicated");
    expect(pod.affinity).toEqual({ nodeAffinity: {} });
    // the chart fills the spread constraint's selector with the pods' own labels
    expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
  });
});

describe("console and rolloutEvents", () => {
  it("reads the static console token from the user's Secret and passes the history settings", () => {
    const manifests = renderChart({
      ...MINIMAL_VALUES,
      console: {
        tokenSecret: { name: "console-token", key: "t" },
        history: { enabled: false, transitionsPerRollout: 10, maxAgeHours: 24, maxRollouts: 100 },
      },
    });
    const env = envOf(container(find(manifests, "Deployment")));
    expect(env.CONSOLE_TOKEN).toEqual({ secretKeyRef: { name: "console-token", key: "t" } });
    expect([
      env.HISTORY_ENABLED,
      env.HISTORY_TRANSITIONS_PER_ROLLOUT,
      env.HISTORY_MAX_AGE_HOURS,
      env.HISTORY_MAX_ROLLOUTS,
    ]).toEqual(["false", "10", "24", "100"]);
    expect(env.ROLLOUT_EVENTS).toBe("true");
  });

  it("without Rollout Events, grants no write on events", () => {
    const manifests = renderChart({ ...MINIMAL_VALUES, rolloutEvents: { enabled: false } });
    expectLeastPrivilege(manifests, CONFIG);
    expect(envOf(container(find(manifests, "Deployment"))).ROLLOUT_EVENTS).toBe("false");
    expect(envOf(container(find(manifests, "Deployment"))).CONSOLE_TOKEN).toBeUndefined();
    for (const role of [...findAll(manifests, "ClusterRole"), ...findAll(manifests, "Role")]) {
      expect(ruleStrings(role).filter((r) => r.includes("events"))).toEqual([]);
    }
  });
});
