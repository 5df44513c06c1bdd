// TokenReview / SubjectAccessReview through @kubernetes/client-node, as kube-apiserver answers them.
import { AuthenticationV1Api, AuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "./index.ts";

describe("kube API test server: TokenReview and SubjectAccessReview", () => {
  let kube: KubeApiServer;
  let authn: AuthenticationV1Api;
  let authz: AuthorizationV1Api;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    kube.reviews.addUser({ token: "t-alice", username: "alice", uid: "u-1", groups: ["team-a"] });
    kube.reviews.grant({
      group: "team-a",
      verbs: ["patch"],
      apiGroups: ["argoproj.io"],
      resources: ["rollouts"],
      namespaces: ["apps"],
      name: "deployers",
    });
    kube.reviews.grant({ user: "root", verbs: ["*"], apiGroups: ["*"], resources: ["*"], name: "admin" });
    const kc = kube.kubeConfig();
    authn = kc.makeApiClient(AuthenticationV1Api);
    authz = kc.makeApiClient(AuthorizationV1Api);
  });
  afterAll(() => kube?.stop());

  it("authenticates a known token (user, uid, groups + system:authenticated) and not an unknown one", async () => {
    const ok = await authn.createTokenReview({ body: { spec: { token: "t-alice" } } });
    expect(ok.status).toEqual({
      authenticated: true,
      user: { username: "alice", uid: "u-1", groups: ["team-a", "system:authenticated"] },
    });
    const bad = await authn.createTokenReview({ body: { spec: { token: "nope" } } });
    expect(bad.status?.authenticated).toBeFalsy();
    expect(bad.status?.error).toMatch(/invalid bearer token/);
    await expect(authn.createTokenReview({ body: { spec: {} as never } })).rejects.toMatchObject({
      code: 400,
    });
  });

  const sar = (spec: object) =>
    authz.createSubjectAccessReview({ body: { spec } as never }).then((r) => r.status);

  it("authorises by grants: namespaced grants only in their namespaces, never for all namespaces", async () => {
    const attrs = { verb: "patch", group: "argoproj.io", resource: "rollouts" };
    expect(
      await sar({ user: "alice", groups: ["team-a"], resourceAttributes: { ...attrs, namespace: "apps" } }),
    ).toMatchObject({ allowed: true });
    expect(
      await sar({ user: "alice", groups: ["team-a"], resourceAttributes: { ...attrs, namespace: "other" } }),
    ).toEqual({ allowed: false });
    expect(await sar({ user: "alice", groups: ["team-a"], resourceAttributes: attrs })).toEqual({
      allowed: false,
    });
    expect(
      await sar({
        user: "alice",
        groups: ["team-a"],
        resourceAttributes: { ...attrs, verb: "delete", namespace: "apps" },
      }),
    ).toEqual({ allowed: false });
    expect(await sar({ user: "root", resourceAttributes: attrs })).toMatchObject({ allowed: true });
  });

  it("rejects malformed reviews with 422", async () => {
    await expect(sar({ user: "alice" })).rejects.toMatchObject({ code: 422 });
    await expect(sar({ resourceAttributes: { verb: "get", resource: "pods" } })).rejects.toMatchObject({
      code: 422,
    });
  });
});
