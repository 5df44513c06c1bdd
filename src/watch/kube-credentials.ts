// The credentials of one Kubernetes API request: the headers client-node's
// KubeConfig.applySecurityAuthentication puts on a RequestContext (Basic for a username, the authenticators'
// or the kubeconfig's bearer token, Impersonate-User), through the KubeConfig's own authenticators (exec,
// token file, OIDC... refresh as they do), without what that call also does every time and kube-http.ts keeps
// per KubeConfig instead: reading the CA and client certificate files and building a new undici Agent (a
// profile of the pipeline benchmark: a quarter of a Kubernetes Event write's cost in the service).
import type { KubeConfig } from "@kubernetes/client-node";
import { HttpMethod, RequestContext } from "@kubernetes/client-node/dist/gen/http/http.js";

/** KubeConfig's method that runs the user's authenticator (private in its types). */
interface AuthorizationHeader {
  applyAuthorizationHeader(opts: { headers?: Record<string, string> }): Promise<void>;
}

/** Sets a header replacing any of the same name in another case, as RequestContext.setHeaderParam. */
function setHeader(headers: Record<string, string>, key: string, value: string): void {
  const lower = key.toLowerCase();
  for (const existing in headers) if (existing.toLowerCase() === lower) delete headers[existing];
  headers[key] = value;
}

/** The headers applySecurityAuthentication would set for this request (`url` and `method` only for it). */
export async function credentialHeaders(
  kc: KubeConfig,
  url: string,
  method: keyof typeof HttpMethod,
): Promise<Record<string, string>> {
  const apply = (kc as unknown as Partial<AuthorizationHeader>).applyAuthorizationHeader;
  if (typeof apply !== "function") {
    // another client-node: the whole call
    const ctx = new RequestContext(url, HttpMethod[method]);
    await kc.applySecurityAuthentication(ctx);
    return ctx.getHeaders();
  }
  const headers: Record<string, string> = {};
  const user = kc.getCurrentUser();
  if (!user) return headers;
  // in applySecurityAuthentication's order: Basic, then the options' headers (Impersonate-User from the HTTPS
  // options, then Authorization from the authenticator or the user's token)
  if (user.username) {
    setHeader(
      headers,
      "Authorization",
      `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`,
    );
  }
  const opts: { headers?: Record<string, string> } = {};
  if (user.impersonateUser != null) opts.headers = { "Impersonate-User": user.impersonateUser };
  await apply.call(kc, opts);
  for (const key in opts.headers) setHeader(headers, key, `${opts.headers[key]}`);
  return headers;
}
