import { KubeConfig } from "@kubernetes/client-node/dist/config.js";

/**
 * A kubeconfig file when given; in-cluster config when running in a Pod (KUBERNETES_SERVICE_HOST set);
 * otherwise an error saying what to pass.
 */
export function loadKubeConfig(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfig) {
    kc.loadFromFile(kubeconfig);
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    throw new Error(
      "no Kubernetes config: pass --kubeconfig FILE (or set KUBECONFIG), or run inside a cluster",
    );
  }
  if (!kc.getCurrentCluster()) throw new Error("kubeconfig has no current context/cluster");
  return kc;
}
