// GitHub App authentication, as upstream's ghinstallation does it: a JWT (RS256, signed with the App's private key,
// iss = App id, iat 60 s in the past, exp 9 minutes ahead) exchanged at POST /app/installations/{id}/access_tokens
// for an installation token, which is cached until a minute before its expires_at. Neither the JWT nor the token
// is ever logged or put in an error.
import { createHash, createPrivateKey, sign } from "node:crypto";
import { type ExpiringToken, TokenCache } from "../common/token-cache.ts";
import type { GitHubServiceConfig } from "./github-types.ts";

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** The App's JWT for `nowMs` (the real clock: GitHub checks iat/exp against its own). */
export function githubAppJwt(appID: string, privateKey: string, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iat: now - 60, exp: now + 540, iss: appID }));
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), createPrivateKey(privateKey));
  return `${header}.${payload}.${b64url(signature)}`;
}

export { MAX_CACHED_TOKENS, TOKEN_EXPIRY_MARGIN_MS } from "../common/token-cache.ts";
export type InstallationToken = ExpiringToken;

/** Asks GitHub for an installation token (the sink's request with the JWT); throws DeliveryError. */
export type FetchInstallationToken = (jwt: string) => Promise<InstallationToken>;

/** Installation tokens per (API, App, installation, key), shared by the deliveries of a sink (common/token-cache.ts). */
export class InstallationTokens {
  readonly #tokens: TokenCache;

  constructor(clock: () => number = Date.now) {
    this.#tokens = new TokenCache(clock);
  }

  static keyOf(apiRoot: string, service: GitHubServiceConfig): string {
    const keyHash = createHash("sha256").update(service.privateKey).digest("hex");
    return `${apiRoot}\n${service.appID}\n${service.installationID}\n${keyHash}`;
  }

  get(key: string, service: GitHubServiceConfig, fetch: FetchInstallationToken): Promise<string> {
    return this.#tokens.get(key, () =>
      fetch(githubAppJwt(service.appID, service.privateKey, this.#tokens.now())),
    );
  }

  /** How many tokens are cached (at most MAX_CACHED_TOKENS). */
  get size(): number {
    return this.#tokens.size;
  }

  /** Forgets `token` (GitHub refused it: revoked, or the installation changed). */
  invalidate(key: string, token: string): void {
    this.#tokens.invalidate(key, token);
  }
}
