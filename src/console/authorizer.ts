// Who may change things through the console (retry, purge, silences). Reading is open. A write needs a bearer
// token: the static console token (from a Secret, for small setups), or a Kubernetes token checked with a
// TokenReview and authorised with a SubjectAccessReview: may the user `patch rollouts.argoproj.io` in the
// namespace concerned (cluster-wide for cluster-wide actions: a silence without a namespace, purge of all dead
// letters). Answers are cached for a short while per (token hash, namespace).
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthenticationV1Api, AuthorizationV1Api, KubeConfig } from "@kubernetes/client-node";

export type AuthDecision =
  | { ok: true; user: string }
  | { ok: false; status: 401 | 403; message: string; user?: string };

export interface Authorizer {
  /** `namespace` undefined = cluster-wide rights needed. */
  authorize(authorization: string | undefined, namespace: string | undefined): Promise<AuthDecision>;
}

export interface KubeAuthorizerOptions {
  kc?: KubeConfig;
  /** The static console token; undefined = none. */
  staticToken?: string;
  /** What a user must be allowed to do (default: patch rollouts.argoproj.io). */
  verb?: string;
  group?: string;
  resource?: string;
  cacheMs?: number;
  now?: () => number;
}

const MAX_TOKEN = 16_384;
const MAX_CACHE = 1_000;

export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m && m[1]!.length <= MAX_TOKEN ? m[1] : undefined;
}

export function createAuthorizer(o: KubeAuthorizerOptions): Authorizer {
  // The two API clients are made at the first token to review: their module is client-node's index, which loads
  // every generated model and API of the Kubernetes API (~25 MB of memory) that the service otherwise never needs.
  const kc = o.kc;
  let clients: Promise<{ authn: AuthenticationV1Api; authz: AuthorizationV1Api }> | undefined;
  const reviewClients = (k: KubeConfig) =>
    (clients ??= import("@kubernetes/client-node").then((api) => ({
      authn: k.makeApiClient(api.AuthenticationV1Api),
      authz: k.makeApiClient(api.AuthorizationV1Api),
    })));
  const cacheMs = o.cacheMs ?? 10_000;
  const now = o.now ?? Date.now;
  const cache = new Map<string, { at: number; decision: AuthDecision }>();
  const staticDigest = o.staticToken ? createHash("sha256").update(o.staticToken).digest() : undefined;
  const verb = o.verb ?? "patch";
  const group = o.group ?? "argoproj.io";
  const resource = o.resource ?? "rollouts";
  const scope = (ns: string | undefined) =>
    ns === undefined
      ? `${verb} ${resource}.${group} in all namespaces`
      : `${verb} ${resource}.${group} in namespace ${ns}`;

  const decide = async (token: string, namespace: string | undefined): Promise<AuthDecision> => {
    if (!kc) return { ok: false, status: 401, message: "token not accepted" };
    const { authn, authz } = await reviewClients(kc);
    const review = await authn.createTokenReview({
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    });
    const st = review.status;
    if (!st?.authenticated || !st.user?.username) {
      return { ok: false, status: 401, message: "token not accepted" };
    }
    const user = st.user.username;
    const spec: Parameters<AuthorizationV1Api["createSubjectAccessReview"]>[0]["body"]["spec"] = {
      user,
      resourceAttributes: { verb, group, resource, ...(namespace !== undefined ? { namespace } : {}) },
    };
    if (st.user.groups) spec.groups = st.user.groups;
    if (st.user.uid) spec.uid = st.user.uid;
    if (st.user.extra) spec.extra = st.user.extra;
    const sar = await authz.createSubjectAccessReview({
      body: { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec },
    });
    if (sar.status?.allowed && !sar.status.denied) return { ok: true, user };
    return { ok: false, status: 403, user, message: `${user} may not ${scope(namespace)}` };
  };

  return {
    async authorize(authorization, namespace) {
      const token = bearerToken(authorization);
      if (!token)
        return {
          ok: false,
          status: 401,
          message: "authentication required: send Authorization: Bearer <token>",
        };
      const digest = createHash("sha256").update(token).digest();
      if (staticDigest && timingSafeEqual(digest, staticDigest)) return { ok: true, user: "console-token" };
      const key = `${digest.toString("hex")}|${namespace ?? "*"}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < cacheMs) return hit.decision;
      const decision = await decide(token, namespace);
      if (cache.size >= MAX_CACHE) cache.clear();
      cache.set(key, { at: now(), decision });
      return decision;
    },
  };
}
