// The CLI loads client-node's KubeConfig without the package's generated API models and clients
// (src/cli/kube-config-without-generated-apis.ts): a Node process that registers the hook, then loads KubeConfig
// as the service does, has a working KubeConfig (its API client configuration included) and has not loaded the
// generated models; the same process without the hook has (so the check below can see them).
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const HOOK = new URL("../../src/cli/kube-config-without-generated-apis.ts", import.meta.url).href;
const KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [
    { name: "c", cluster: { server: "https://kube.example:6443", "insecure-skip-tls-verify": true } },
  ],
  users: [{ name: "u", user: { token: "t0ken" } }],
  contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "ns" } }],
  "current-context": "x",
});

/** Runs a module in a child Node: loads KubeConfig (with the hook when asked) and reports what it saw. */
function loadKubeConfig(withHook: boolean): {
  server: string;
  baseUrl: string;
  authorization: string;
  generatedModelsLoaded: number;
} {
  const script = `
    import { registerHooks } from "node:module";
    let generatedModelsLoaded = 0;
    registerHooks({ load(url, context, next) {
      if (url.includes("/@kubernetes/client-node/dist/gen/models/")) generatedModelsLoaded++;
      return next(url, context);
    } });
    if (${withHook}) (await import(${JSON.stringify(HOOK)})).loadKubeConfigWithoutGeneratedApis();
    const { KubeConfig } = await import("@kubernetes/client-node/dist/config.js");
    const { RequestContext, HttpMethod } = await import("@kubernetes/client-node/dist/gen/http/http.js");
    const kc = new KubeConfig();
    kc.loadFromString(${JSON.stringify(KUBECONFIG)});
    class Api { constructor(configuration) { this.configuration = configuration; } }
    const api = kc.makeApiClient(Api);
    const ctx = api.configuration.baseServer.makeRequestContext("/api/v1/namespaces", HttpMethod.GET);
    const auth = new RequestContext("https://kube.example:6443/api", HttpMethod.GET);
    await kc.applySecurityAuthentication(auth);
    console.log(JSON.stringify({
      server: kc.getCurrentCluster().server,
      baseUrl: ctx.getUrl(),
      authorization: auth.getHeaders().Authorization,
      generatedModelsLoaded,
    }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("KubeConfig without client-node's generated APIs", () => {
  it("configures API clients and authenticates requests as with the whole package", () => {
    const slim = loadKubeConfig(true);
    expect(slim).toMatchObject({
      server: "https://kube.example:6443",
      baseUrl: "https://kube.example:6443/api/v1/namespaces",
      authorization: "Bearer t0ken",
    });
    expect(slim.generatedModelsLoaded).toBe(0);
  });

  it("is what keeps the generated models out (without the hook KubeConfig loads them)", () => {
    const whole = loadKubeConfig(false);
    expect(whole.baseUrl).toBe("https://kube.example:6443/api/v1/namespaces");
    expect(whole.generatedModelsLoaded).toBeGreaterThan(100);
  });
});
