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

/** A cached token is not used within this long of its expiry. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface AccessToken {
  token: string;
  expiresAtMs: number;
}

/** Access tokens per credential (hashed), shared by a sink's deliveries; one request per credential at a time. */
/**
 * Tokens kept, one per credential (hash of its token URI, e-mail and key). Without a bound every credential ever used stayed, expired token and all:
 * each rotation of a key (a namespace's own Secret too) added one for the life of the process.
 */
export const MAX_CACHED_TOKENS = 256;

export class AccessTokens {
  readonly #cache = new Map<string, AccessToken>();
  readonly #pending = new Map<string, Promise<AccessToken>>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  static keyOf(key: ServiceAccountKey): string {
    return createHash("sha256")
      .update(`${key.tokenUri}\n${key.clientEmail}\n${key.privateKey}`)
      .digest("hex");
  }

  async get(cacheKey: string, fetch: () => Promise<AccessToken>): Promise<string> {
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.expiresAtMs - TOKEN_EXPIRY_MARGIN_MS > this.#clock()) return cached.token;
    let pending = this.#pending.get(cacheKey);
    if (!pending) {
      pending = fetch().finally(() => this.#pending.delete(cacheKey));
      this.#pending.set(cacheKey, pending);
    }
    const fresh = await pending;
    // most recently fetched last: past MAX_CACHED_TOKENS the oldest goes (a credential rotated away, most likely)
    this.#cache.delete(cacheKey);
    this.#cache.set(cacheKey, fresh);
    while (this.#cache.size > MAX_CACHED_TOKENS)
      this.#cache.delete(this.#cache.keys().next().value as string);
    return fresh.token;
  }

  /** How many tokens are cached (at most MAX_CACHED_TOKENS). */
  get size(): number {
    return this.#cache.size;
  }

  /** Forgets `token` (the API refused it). */
  invalidate(cacheKey: string, token: string): void {
    if (this.#cache.get(cacheKey)?.token === token) this.#cache.delete(cacheKey);
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
