// GitHub App authentication, as upstream's ghinstallation does it: a JWT (RS256, signed with the App's private key,
// iss = App id, iat 60 s in the past, exp 9 minutes ahead) exchanged at POST /app/installations/{id}/access_tokens
// for an installation token, which is cached until a minute before its expires_at. Neither the JWT nor the token
// is ever logged or put in an error.
import { createHash, createPrivateKey, sign } from "node:crypto";
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

/** When a cached token is no longer used: this long before GitHub's expires_at. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface InstallationToken {
  token: string;
  expiresAtMs: number;
}

/** Asks GitHub for an installation token (the sink's request with the JWT); throws DeliveryError. */
export type FetchInstallationToken = (jwt: string) => Promise<InstallationToken>;

/** Installation tokens per (API, App, installation, key), shared by the deliveries of a sink; one request at a time. */
/**
 * Tokens kept, one per (API, App, installation, key hash). Without a bound every credential ever used stayed, expired token and all:
 * each rotation of a key (a namespace's own Secret too) added one for the life of the process.
 */
export const MAX_CACHED_TOKENS = 256;

export class InstallationTokens {
  readonly #cache = new Map<string, InstallationToken>();
  readonly #pending = new Map<string, Promise<InstallationToken>>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  static keyOf(apiRoot: string, service: GitHubServiceConfig): string {
    const keyHash = createHash("sha256").update(service.privateKey).digest("hex");
    return `${apiRoot}\n${service.appID}\n${service.installationID}\n${keyHash}`;
  }

  async get(key: string, service: GitHubServiceConfig, fetch: FetchInstallationToken): Promise<string> {
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAtMs - TOKEN_EXPIRY_MARGIN_MS > this.#clock()) return cached.token;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = fetch(githubAppJwt(service.appID, service.privateKey, this.#clock())).finally(() =>
        this.#pending.delete(key),
      );
      this.#pending.set(key, pending);
    }
    const fresh = await pending;
    // most recently fetched last: past MAX_CACHED_TOKENS the oldest goes (a credential rotated away, most likely)
    this.#cache.delete(key);
    this.#cache.set(key, fresh);
    while (this.#cache.size > MAX_CACHED_TOKENS)
      this.#cache.delete(this.#cache.keys().next().value as string);
    return fresh.token;
  }

  /** How many tokens are cached (at most MAX_CACHED_TOKENS). */
  get size(): number {
    return this.#cache.size;
  }

  /** Forgets `token` (GitHub refused it: revoked, or the installation changed). */
  invalidate(key: string, token: string): void {
    if (this.#cache.get(key)?.token === token) this.#cache.delete(key);
  }
}
