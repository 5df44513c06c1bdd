// The central redactor: every secret value the process knows (the notification Secrets' values, the tokens,
// passwords, routing keys, Basic-auth pairs, URL userinfo and HMAC keys of the loaded services), in every
// encoding we send it in (raw, base64 of `user:pass`, URL-encoded, JSON-escaped, `Bearer …`), is scrubbed from
// every string that leaves the process: log lines (the logger's stream hook), delivery failure messages (so dead
// letters and `dlq list`), /readyz detail, `--dry-run` and capture output. It does not depend on a remote's
// manners: a Slack error or a webhook server echoing our headers back is scrubbed the same way.
//
// Secrets are registered per scope (the central config, each namespace) and kept for the life of the process:
// a rotated or deleted value can still turn up in a late error or a retried request, and must still be scrubbed.
// Up to MAX_SPELLINGS_PER_SCOPE per scope, the least recently registered forgotten first: a namespace rewriting its
// own Secret with new values (a Secret holds up to 1 MiB: ~50,000 short values) grew the set without end, and
// with it the pattern, recompiled after each change (1.4 s for 50,000 values) and held in memory.

export const REDACTED = "[redacted]";
/** Shorter values are not scrubbed: they would garble ordinary text and are not worth guessing anyway. */
export const MIN_SECRET_LENGTH = 4;
/**
 * Spellings kept per scope (~7 per value: secretEncodings). The values of the latest version come last, so it is
 * the spellings of versions long rotated away that go, and only once a scope holds this many (~3,000 values).
 */
export const MAX_SPELLINGS_PER_SCOPE = 20_000;

/** Every spelling of a secret value that we might send or a remote might echo. */
export function secretEncodings(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const out = new Set<string>([value]);
  out.add(Buffer.from(value, "utf8").toString("base64"));
  out.add(Buffer.from(value, "utf8").toString("base64url"));
  out.add(encodeURIComponent(value));
  out.add(encodeURI(value));
  out.add(JSON.stringify(value).slice(1, -1));
  out.add(JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1));
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

/** The spellings of a Basic-auth pair: `user:pass`, its base64 (the Authorization header), URL userinfo. */
export function basicAuthEncodings(username: string, password: string): string[] {
  const pair = `${username}:${password}`;
  return [
    ...secretEncodings(pair),
    ...secretEncodings(password),
    `${encodeURIComponent(username)}:${encodeURIComponent(password)}`,
  ];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Scrubs registered secrets from strings. One instance per process (processRedactor) is what the edges use. */
export class SecretRedactor {
  private readonly scopes = new Map<string, Set<string>>();
  private pattern: RegExp | undefined;
  private dirty = false;

  /** Adds raw secret values to a scope (their encodings are derived here). */
  addValues(scope: string, values: Iterable<string>): void {
    const spellings: string[] = [];
    for (const v of values) if (typeof v === "string") spellings.push(...secretEncodings(v));
    this.addSpellings(scope, spellings);
  }

  /** Adds already-spelled secrets (e.g. serviceSecretSpellings, basicAuthEncodings) to a scope. */
  addSpellings(scope: string, spellings: Iterable<string>): void {
    let set = this.scopes.get(scope);
    if (!set) {
      set = new Set();
      this.scopes.set(scope, set);
    }
    for (const s of spellings) {
      if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) continue;
      // registered again: it is current, so it moves to the end (the last to be forgotten)
      if (set.has(s)) set.delete(s);
      else this.dirty = true;
      set.add(s);
    }
    while (set.size > MAX_SPELLINGS_PER_SCOPE) {
      set.delete(set.values().next().value as string);
      this.dirty = true;
    }
  }

  /** Forgets a scope (tests; the service keeps what it learnt for its whole life). */
  removeScope(scope: string): void {
    if (this.scopes.delete(scope)) this.dirty = true;
  }

  /** How many spellings are known (tests, diagnostics). */
  get size(): number {
    let n = 0;
    for (const s of this.scopes.values()) n += s.size;
    return n;
  }

  redact(text: string): string {
    if (typeof text !== "string" || text.length < MIN_SECRET_LENGTH) return text;
    const re = this.regex();
    if (!re) return text;
    re.lastIndex = 0;
    return text.replace(re, REDACTED);
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    if (!this.regex()) return value;
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.redact(value);
    if (depth > 64 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.walk(v, depth + 1);
    return out;
  }

  private regex(): RegExp | undefined {
    if (this.dirty) {
      const all = new Set<string>();
      for (const s of this.scopes.values()) for (const v of s) all.add(v);
      const sorted = [...all].sort((a, b) => b.length - a.length);
      this.pattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join("|"), "g") : undefined;
      this.dirty = false;
    }
    return this.pattern;
  }
}

/** The process-wide redactor: ConfigStore registers, the logger, failure classification and CLI output scrub. */
export const processRedactor = new SecretRedactor();

/** Shorthand for processRedactor.redact. */
export function redactSecrets(text: string): string {
  return processRedactor.redact(text);
}
