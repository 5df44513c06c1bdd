// Fault hooks and request accounting for tests: drop watches, expire watches, compact history, delay
// responses, fail the next N requests for a path, count requests and open watches.
import type { ServerResponse } from "node:http";
import type { VersionedStore } from "./versioned-store.ts";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  watch: boolean;
}

interface FailRule {
  match: (method: string, path: string) => boolean;
  remaining: number;
  status: number;
}

export interface OpenWatch {
  path: string;
  res: ServerResponse;
  /** Sends a BOOKMARK now (only for watches that asked for bookmarks). */
  bookmark(): void;
  /** Ends the stream cleanly (as the server does at timeoutSeconds). */
  end(): void;
}

export type PathMatcher = string | RegExp | ((path: string, method: string) => boolean);

function toMatcher(path: PathMatcher, method?: string): (m: string, p: string) => boolean {
  const byPath =
    typeof path === "string"
      ? (p: string) => p === path || p.startsWith(path.endsWith("/") ? path : `${path}/`) || p === path
      : path instanceof RegExp
        ? (p: string) => path.test(p)
        : (p: string, m: string) => path(p, m);
  return (m, p) => (method === undefined || method.toUpperCase() === m) && byPath(p, m);
}

export class Faults {
  private readonly store: VersionedStore;
  readonly requests: RecordedRequest[] = [];
  readonly openWatches = new Set<OpenWatch>();
  /** Watch requests answered with a stream (including those that got an ERROR event). */
  watchesStarted = 0;
  private failRules: FailRule[] = [];
  private expireRemaining = 0;
  delayMs = 0;
  private delayMatcher: ((m: string, p: string) => boolean) | undefined;

  constructor(store: VersionedStore) {
    this.store = store;
  }

  /** Number of requests received (optionally only those matching). */
  requestCount(path?: PathMatcher, method?: string): number {
    if (path === undefined) return this.requests.length;
    const match = toMatcher(path, method);
    return this.requests.filter((r) => match(r.method, r.path)).length;
  }

  get openWatchCount(): number {
    return this.openWatches.size;
  }

  /**
   * Closes every open watch connection. `abrupt` destroys the sockets (a network drop: clients see an
   * error); otherwise the streams end cleanly like a server-side timeout.
   */
  dropWatches(opts: { abrupt?: boolean } = {}): number {
    const watches = [...this.openWatches];
    for (const w of watches) {
      if (opts.abrupt) w.res.socket?.destroy();
      else w.end();
    }
    return watches.length;
  }

  /** The next `count` watch requests (default: all until clear()) get an ERROR event 410 Expired and close. */
  expireNextWatches(count = Number.POSITIVE_INFINITY): void {
    this.expireRemaining = count;
  }

  /** Consumes one forced expiry; used by the watch handler. */
  takeForcedExpiry(): boolean {
    if (this.expireRemaining <= 0) return false;
    this.expireRemaining -= 1;
    return true;
  }

  /** Compacts history (default: up to now): watches and continues from older resourceVersions get 410. */
  compact(upToResourceVersion?: number): void {
    this.store.compact(upToResourceVersion);
  }

  /** Delays every response (or only those whose path matches) by `ms` before it is handled. */
  delayResponses(ms: number, path?: PathMatcher, method?: string): void {
    this.delayMs = ms;
    this.delayMatcher = path === undefined ? undefined : toMatcher(path, method);
  }

  delayFor(method: string, path: string): number {
    if (this.delayMs <= 0) return 0;
    return !this.delayMatcher || this.delayMatcher(method, path) ? this.delayMs : 0;
  }

  /**
   * The next `count` requests whose path matches (exact path or a prefix ending at "/", a RegExp, or a
   * predicate), optionally only for `method`, are answered with a Status of HTTP `status`.
   */
  failNext(count: number, path: PathMatcher, status: number, method?: string): void {
    this.failRules.push({ match: toMatcher(path, method), remaining: count, status });
  }

  /** The injected status for this request, if a failNext rule applies (consumes it). */
  takeFailure(method: string, path: string): number | undefined {
    for (const rule of this.failRules) {
      if (rule.remaining > 0 && rule.match(method, path)) {
        rule.remaining -= 1;
        this.failRules = this.failRules.filter((r) => r.remaining > 0);
        return rule.status;
      }
    }
    return undefined;
  }

  /** Sends a BOOKMARK on every open watch that allows bookmarks. */
  sendBookmarks(): void {
    for (const w of this.openWatches) w.bookmark();
  }

  /** Clears every fault (not the counters). */
  clear(): void {
    this.failRules = [];
    this.expireRemaining = 0;
    this.delayMs = 0;
    this.delayMatcher = undefined;
  }
}
