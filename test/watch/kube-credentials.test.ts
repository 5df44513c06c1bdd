// credentialHeaders (src/watch/kube-credentials.ts) sets the headers client-node's applySecurityAuthentication
// sets, for each kind of kubeconfig user, through the same KubeConfig's authenticators.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { credentialHeaders } from "../../src/watch/kube-credentials.ts";

const dir = mkdtempSync(join(tmpdir(), "rn-kube-credentials-"));
const URL_ = "https://kube.example:6443/api/v1/namespaces/a/events";

function kubeConfig(user: Record<string, unknown> | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://kube.example:6443", skipTLSVerify: true }],
    users: user ? [{ name: "u", ...user }] : [],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return kc;
}

async function clientNodeHeaders(kc: KubeConfig): Promise<Record<string, string>> {
  const ctx = new RequestContext(URL_, HttpMethod.PATCH);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getHeaders();
}

const tokenFile = join(dir, "token");
writeFileSync(tokenFile, "from-the-file");
// an exec credential plugin: prints an ExecCredential with a token
const plugin = join(dir, "plugin.cjs");
writeFileSync(
  plugin,
  `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "from-exec" } }));`,
);

const USERS: [string, Record<string, unknown> | undefined, Record<string, string>][] = [
  ["a bearer token", { token: "t-1" }, { Authorization: "Bearer t-1" }],
  [
    "username and password",
    { username: "alice", password: "pw" },
    { Authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` },
  ],
  [
    "username and token: the token wins",
    { username: "alice", password: "pw", token: "t-2" },
    { Authorization: "Bearer t-2" },
  ],
  [
    "impersonation",
    { token: "t-3", impersonateUser: "bob" },
    { "Impersonate-User": "bob", Authorization: "Bearer t-3" },
  ],
  [
    "a token file (authProvider tokenFile)",
    { authProvider: { name: "tokenfile", config: { tokenFile } } },
    { Authorization: "Bearer from-the-file" },
  ],
  [
    "an exec plugin",
    { exec: { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: [plugin] } },
    { Authorization: "Bearer from-exec" },
  ],
  ["no credentials", {}, {}],
  ["no user", undefined, {}],
];

describe("credentialHeaders", () => {
  for (const [what, user, expected] of USERS) {
    it(`${what}: the headers applySecurityAuthentication sets`, async () => {
      const kc = kubeConfig(user);
      const ours = await credentialHeaders(kc, URL_, "PATCH");
      expect(ours).toEqual(expected);
      expect(ours).toEqual(await clientNodeHeaders(kubeConfig(user)));
      // again, on the same KubeConfig (authenticators' caches)
      expect(await credentialHeaders(kc, URL_, "PATCH")).toEqual(expected);
    });
  }

  it("a token changed on the KubeConfig is the one sent next", async () => {
    const kc = kubeConfig({ token: "before" });
    expect(await credentialHeaders(kc, URL_, "GET")).toEqual({ Authorization: "Bearer before" });
    (kc.users[0] as { token?: string }).token = "after";
    expect(await credentialHeaders(kc, URL_, "GET")).toEqual({ Authorization: "Bearer after" });
  });
});
