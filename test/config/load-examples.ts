// Test helpers: the upstream notifications-install.yaml and the examples/config objects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";

const root = join(import.meta.dirname, "../..");

export function readObject(path: string): KubeObject {
  return parse(readFileSync(join(root, path), "utf8")) as KubeObject;
}

export const upstreamInstall = () => readObject("examples/config/upstream-notifications-install.yaml");
export const exampleConfigMap = () => readObject("examples/config/argo-rollouts-notification-configmap.yaml");
export const exampleSecret = () => readObject("examples/config/argo-rollouts-notification-secret.yaml");
export const exampleNamespace = () => readObject("examples/config/namespace.yaml");
export const exampleTenantConfigMap = () => readObject("examples/config/tenant-configmap.yaml");
export const exampleTenantSecret = () => readObject("examples/config/tenant-secret.yaml");
export const exampleRollout = () => readObject("examples/config/rollout.yaml");

export function configMap(data: Record<string, string>, namespace = "argo-rollouts"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace },
    data,
  };
}

export function secret(stringData: Record<string, string>, namespace = "argo-rollouts"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argo-rollouts-notification-secret", namespace },
    stringData,
  };
}
