// ConfigSource against the Kubernetes API test server: a namespace's own config is loaded on every change while
// the namespace has rendering time left (src/templates/render-share.ts); once it has used its share, a change
// waits for the share to refill (changes meanwhile join the waiting reload) and is then loaded. The service's
// own config never waits.
import { afterEach, describe, expect, it } from "vitest";
import { ConfigSource } from "../../src/app/config-source.ts";
import { ConfigStore } from "../../src/config/config-store.ts";
import { RenderShare } from "../../src/templates/render-share.ts";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-api-server/index.ts";
import { captureLogs } from "../support/log-capture.ts";
import { eventually } from "../watch/watcher-harness.ts";

const CM = "argo-rollouts-notification-configmap";
const cm = (namespace: string, data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: CM, namespace },
  data,
});

describe("ConfigSource and the namespaces' render share", () => {
  let api: KubeApiServer | undefined;
  let source: ConfigSource | undefined;
  afterEach(async () => {
    source?.stop();
    await api?.stop();
  });

  it("defers a namespace's reload while it has no rendering time left, then loads the latest version", async () => {
    api = await startKubeApiServer({ namespaces: ["argo-rollouts", "team"] });
    api.objects.load(cm("argo-rollouts", { "template.central": "message: central v1" }));
    api.objects.load(cm("team", { "template.mine": "message: v1" }));
    const { logger, lines } = captureLogs();
    const logged = (re: RegExp) =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => re.test(String(l.msg)));
    const store = new ConfigStore({ logger, namespace: "argo-rollouts" });
    // the whole of the time and a 1 ms burst: a namespace charged 4 s has none left for 4 s
    const share = new RenderShare({ percent: 100, burstMs: 1 });
    source = new ConfigSource({
      kc: api.kubeConfig(),
      store,
      logger,
      namespace: "argo-rollouts",
      configMapName: CM,
      secretName: "argo-rollouts-notification-secret",
      renderShare: share,
    });
    await source.start();
    expect(store.forNamespace("team").templates.mine?.message).toBe("v1");
    share.charge("team", 4_000); // as if its templates had just taken 4 s: none left for 4 s

    const patch = (namespace: string, data: Record<string, string>) =>
      api!.objects.patch({ kind: "ConfigMap", namespace, name: CM }, { data });
    patch("team", { "template.mine": "message: v2" });
    await eventually(() => logged(/config reload deferred/).length > 0, 10_000, "the deferral logged");
    const [deferred] = logged(/config reload deferred/);
    expect(deferred).toMatchObject({ scope: "namespace team" });
    expect(Number(deferred!.retryInMs)).toBeGreaterThan(2_000);
    expect(store.forNamespace("team").templates.mine?.message).toBe("v1");

    // a change meanwhile joins the waiting reload: not loaded by itself; the reload then loads the latest version
    patch("team", { "template.mine": "message: v3" });
    // the service's own config is not charged and never waits
    patch("argo-rollouts", { "template.central": "message: central v2" });
    await eventually(() => store.current.templates.central?.message === "central v2", 10_000, "central v2");
    expect(store.forNamespace("team").templates.mine?.message).toBe("v1");
    await eventually(() => store.forNamespace("team").templates.mine?.message === "v3", 15_000, "team v3");
  });
});
