// TokenReview (authentication.k8s.io/v1) and SubjectAccessReview (authorization.k8s.io/v1), as kube-apiserver
// answers them (k8s.io/kubernetes pkg/registry/authentication/tokenreview and
// pkg/registry/authorization/subjectaccessreview; API reference "TokenReview v1", "SubjectAccessReview v1"):
// create-only, not stored, answered 201 with the request's spec and a status filled in.
// - TokenReview: an empty spec.token is 400 Bad Request; an unknown token is `authenticated: false` with an
//   `error`, `user: {}`; a known one is `authenticated: true` with the user (username, uid, groups, extra).
//   Authenticated users get the group `system:authenticated` as kube-apiserver adds it.
// - SubjectAccessReview: exactly one of resourceAttributes / nonResourceAttributes (else 422 Invalid); user or
//   groups required (422). Authorised by RBAC-like grants: a grant without namespaces is cluster-wide
//   (ClusterRoleBinding), with namespaces it holds only there (RoleBinding); a request without a namespace
//   ("all namespaces") is allowed by cluster-wide grants only. RBAC never denies: a refusal is `allowed: false`
//   with no `denied`, and a reason naming nothing.
import { badRequest, KubeStatusError } from "./status-errors.ts";

export interface TestUser {
  token: string;
  username: string;
  uid?: string;
  groups?: string[];
}

export interface AccessGrant {
  /** Who: a username or a group. */
  user?: string;
  group?: string;
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  /** Undefined: cluster-wide (a ClusterRoleBinding); else only in these namespaces (RoleBindings). */
  namespaces?: string[];
  /** Shown in the `reason` of what it allows. */
  name?: string;
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

function invalid(kind: string, causes: { field: string; message: string }[]): KubeStatusError {
  return new KubeStatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${kind}.authorization.k8s.io "" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`,
    reason: "Invalid",
    details: {
      group: "authorization.k8s.io",
      kind,
      causes: causes.map((c) => ({ reason: "FieldValueRequired", message: c.message, field: c.field })),
    },
    code: 422,
  });
}

const matches = (list: string[], v: string) => list.includes("*") || list.includes(v);

export class AuthReviews {
  private readonly users = new Map<string, TestUser>();
  private readonly grants: AccessGrant[] = [];

  addUser(user: TestUser): void {
    this.users.set(user.token, user);
  }

  grant(g: AccessGrant): void {
    this.grants.push(g);
  }

  tokenReview(body: unknown): object {
    const review = (body ?? {}) as { spec?: { token?: string; audiences?: string[] }; metadata?: object };
    const token = review.spec?.token;
    if (typeof token !== "string" || token === "")
      throw badRequest("token is required for TokenReview in authentication");
    const user = this.users.get(token);
    const base = {
      kind: "TokenReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: review.spec,
    };
    if (!user) return { ...base, status: { user: {}, error: "[invalid bearer token, token lookup failed]" } };
    const info: Record<string, unknown> = {
      username: user.username,
      groups: [...(user.groups ?? []), "system:authenticated"],
    };
    if (user.uid) info.uid = user.uid;
    const status: Record<string, unknown> = { authenticated: true, user: info };
    if (review.spec?.audiences) status.audiences = review.spec.audiences;
    return { ...base, status };
  }

  subjectAccessReview(body: unknown): object {
    const review = (body ?? {}) as {
      spec?: {
        user?: string;
        groups?: string[];
        resourceAttributes?: ResourceAttributes;
        nonResourceAttributes?: { path?: string; verb?: string };
      };
    };
    const spec = review.spec ?? {};
    const causes: { field: string; message: string }[] = [];
    if (!spec.resourceAttributes === !spec.nonResourceAttributes)
      causes.push({
        field: "spec.resourceAttributes",
        message: "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      });
    if (!spec.user && (spec.groups ?? []).length === 0)
      causes.push({ field: "spec.user", message: "at least one of user or group must be specified" });
    if (causes.length > 0) throw invalid("SubjectAccessReview", causes);
    const base = {
      kind: "SubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec,
    };
    const a = spec.resourceAttributes;
    if (!a) return { ...base, status: { allowed: false } };
    const groups = spec.groups ?? [];
    const ns = a.namespace ?? "";
    for (const g of this.grants) {
      const who =
        (g.user !== undefined && g.user === spec.user) || (g.group !== undefined && groups.includes(g.group));
      if (!who) continue;
      if (!matches(g.verbs, a.verb ?? "") || !matches(g.apiGroups, a.group ?? "")) continue;
      const resource = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
      if (!matches(g.resources, resource)) continue;
      if (g.namespaces !== undefined && (ns === "" || !g.namespaces.includes(ns))) continue;
      const binding = g.namespaces === undefined ? "ClusterRoleBinding" : `RoleBinding (namespace ${ns})`;
      return {
        ...base,
        status: {
          allowed: true,
          reason: `RBAC: allowed by ${binding} "${g.name ?? "test-grant"}" to ${g.user !== undefined ? `User "${g.user}"` : `Group "${g.group}"`}`,
        },
      };
    }
    return { ...base, status: { allowed: false } };
  }
}
