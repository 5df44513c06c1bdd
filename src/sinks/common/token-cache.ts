// Short-lived access tokens a sink obtains with a credential (a GitHub App installation token, a Google
// service-account access token), shared by the sink's deliveries: used until a minute before they expire, one
// request per credential at a time, and at most MAX_CACHED_TOKENS credentials remembered (the least recently
// fetched goes first: without a bound every credential ever used stayed, expired token and all, and each
// rotation of a key — a namespace's own Secret too — added one for the life of the process).

/** A cached token is not used within this long of its expiry. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

/** Credentials whose token is remembered. */
export const MAX_CACHED_TOKENS = 256;

export interface ExpiringToken {
  token: string;
  expiresAtMs: number;
}

export class TokenCache {
  readonly #cache = new Map<string, ExpiringToken>();
  readonly #pending = new Map<string, Promise<ExpiringToken>>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /** The time the cache goes by (tokens are signed and checked with it too). */
  now(): number {
    return this.#clock();
  }

  /** The token for `key` (a hash of the credential), fetched when none is cached or it is about to expire. */
  async get(key: string, fetch: () => Promise<ExpiringToken>): Promise<string> {
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAtMs - TOKEN_EXPIRY_MARGIN_MS > this.#clock()) return cached.token;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = fetch().finally(() => this.#pending.delete(key));
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

  /** Forgets `token` (the API refused it: revoked, expired early). */
  invalidate(key: string, token: string): void {
    if (this.#cache.get(key)?.token === token) this.#cache.delete(key);
  }
}
