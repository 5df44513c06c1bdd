// Credentials of a Pub/Sub service, as upstream's client (cloud.google.com/go/pubsub) finds them:
// - a service account key (keyJSON, or upstream's keyFile): a JWT (RS256 with the key, kid = private_key_id, iss =
//   client_email, scope = pubsub + cloud-platform, aud = the key's token_uri, iat now, exp an hour later) exchanged
//   at the key's token_uri (JWT bearer grant, RFC 7523) for an access token, as golang.org/x/oauth2/jwt does. The
//   request goes through the sink's HTTP stack (SSRF guard for a namespace's service, timeouts, error classes).
// - neither (central services only): Application Default Credentials through google-auth-library, loaded on first
//   use: GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, or the metadata server (GKE Workload Identity, GCE).
// Tokens are cached per sink until a minute before they expire; neither the key, the JWT nor a token is ever put
// in a log line or an error.
import { createHash, createPrivateKey, sign } from "node:crypto";
import { type ExpiringToken, TokenCache } from "../common/token-cache.ts";
import { PUBSUB_SCOPES, type ServiceAccountKey } from "./gcppubsub-request.ts";

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** The signed JWT assertion for `key` at `nowMs`. */
export function serviceAccountJwt(key: ServiceAccountKey, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const header: Record<string, string> = { alg: "RS256", typ: "JWT" };
  if (key.privateKeyId) header.kid = key.privateKeyId;
  const claims = {
    iss: key.clientEmail,
    scope: PUBSUB_SCOPES.join(" "),
    aud: key.tokenUri,
    iat: now,
    exp: now + 3600,
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(signingInput), createPrivateKey(key.privateKey));
  return `${signingInput}.${b64url(signature)}`;
}

export { MAX_CACHED_TOKENS, TOKEN_EXPIRY_MARGIN_MS } from "../common/token-cache.ts";
export type AccessToken = ExpiringToken;

/** Access tokens per credential (hashed), shared by a sink's deliveries (common/token-cache.ts). */
export class AccessTokens extends TokenCache {
  static keyOf(key: ServiceAccountKey): string {
    return createHash("sha256")
      .update(`${key.tokenUri}\n${key.clientEmail}\n${key.privateKey}`)
      .digest("hex");
  }
}

/** What the sink needs of google-auth-library (Application Default Credentials). */
export interface AdcTokenSource {
  getAccessToken(): Promise<string>;
}

/** google-auth-library's GoogleAuth for the Pub/Sub scopes, loaded by the first delivery that needs it. */
export async function loadAdcTokenSource(): Promise<AdcTokenSource> {
  const { GoogleAuth } = await import("google-auth-library");
  const auth = new GoogleAuth({ scopes: PUBSUB_SCOPES });
  return {
    async getAccessToken() {
      const token = await auth.getAccessToken();
      if (!token) throw new Error("Application Default Credentials gave no access token");
      return token;
    },
  };
}
