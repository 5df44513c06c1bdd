// Writes a kubeconfig for a test API server (plain http on 127.0.0.1, a bearer-token user) that both the real
// kubectl and @kubernetes/client-node accept.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export interface TestKubeconfig {
  /** Path of the written kubeconfig file (pass as KUBECONFIG / --kubeconfig). */
  path: string;
  /** A client-node KubeConfig loaded from that file. */
  kc: KubeConfig;
}

export function writeKubeconfig(opts: {
  server: string;
  token: string;
  namespace?: string;
  /** Directory to write into (default: a new temp dir). */
  dir?: string;
}): TestKubeconfig {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "rn-kubeconfig-"));
  const path = join(dir, "kubeconfig");
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: test",
    "  cluster:",
    `    server: ${JSON.stringify(opts.server)}`,
    // client-node refuses plain http unless this is set ("HTTP protocol is not allowed when skipTLSVerify is
    // not set"); kubectl ignores it for http.
    "    insecure-skip-tls-verify: true",
    "contexts:",
    "- name: test",
    "  context:",
    "    cluster: test",
    "    user: test",
    `    namespace: ${JSON.stringify(opts.namespace ?? "default")}`,
    "current-context: test",
    "users:",
    "- name: test",
    "  user:",
    `    token: ${JSON.stringify(opts.token)}`,
    "",
  ].join("\n");
  writeFileSync(path, yaml, { mode: 0o600 });
  return { path, kc: loadKubeconfig(path) };
}

export function loadKubeconfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
