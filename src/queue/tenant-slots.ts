// A worker's delivery slots, shared fairly with the namespaces' own services. A namespace's self-service config
// can name endpoints that never answer (a webhook that accepts the connection and stays silent until its
// timeoutMs, up to 5 minutes): without a bound, enough of its notifications would hold every slot of the worker
// for that long and freeze every other namespace and the operator's own services. So, per worker process:
//   - the services of one namespace's own config have at most `perNamespace` deliveries in flight,
//   - the services of all namespaces' own configs together at most `total`,
// and the operator's services (the central config) always keep the rest. A delivery over a limit is not
// attempted and nothing of it is counted: its executor looks again after a delay that grows (250 ms doubling to
// 30 s, jittered) while it keeps finding the limit reached, so a namespace with a thousand notifications queued
// for a hanging endpoint costs a few looks a second, not a thousand.

/** Limits of one worker process (see the header). */
export interface TenantSlotLimits {
  perNamespace: number;
  total: number;
}

/** Defaults from a worker's concurrency: a quarter of the slots per namespace, half for all namespaces together. */
export function tenantSlotLimits(concurrency: number, perNamespace?: number): TenantSlotLimits {
  const per = Math.max(1, Math.floor(perNamespace ?? concurrency / 4));
  return { perNamespace: per, total: Math.max(per, Math.floor(concurrency / 2)) };
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;
/** Jobs whose delay is remembered (the oldest are forgotten first: they start again at FIRST_DELAY_MS). */
const MAX_REMEMBERED = 10_000;

export class TenantSlots {
  readonly limits: TenantSlotLimits;
  readonly #inFlight = new Map<string, number>();
  #total = 0;
  /** Job id → how many times in a row it found a limit reached. */
  readonly #deferrals = new Map<string, number>();
  readonly #random: () => number;

  constructor(limits: TenantSlotLimits, opts: { random?: () => number } = {}) {
    this.limits = limits;
    this.#random = opts.random ?? Math.random;
  }

  /** A slot for a delivery of `namespace`'s own services, released by the returned function (once). */
  take(namespace: string, jobId: string): (() => void) | undefined {
    const held = this.#inFlight.get(namespace) ?? 0;
    if (held >= this.limits.perNamespace || this.#total >= this.limits.total) return undefined;
    this.#inFlight.set(namespace, held + 1);
    this.#total++;
    this.#deferrals.delete(jobId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const n = (this.#inFlight.get(namespace) ?? 1) - 1;
      if (n <= 0) this.#inFlight.delete(namespace);
      else this.#inFlight.set(namespace, n);
    };
  }

  /** How long a job that found a limit reached waits before it looks again (longer each time in a row). */
  deferralMs(jobId: string): number {
    const n = (this.#deferrals.get(jobId) ?? 0) + 1;
    this.#deferrals.delete(jobId);
    if (this.#deferrals.size >= MAX_REMEMBERED) {
      const oldest = this.#deferrals.keys().next().value;
      if (oldest !== undefined) this.#deferrals.delete(oldest);
    }
    this.#deferrals.set(jobId, n);
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(n - 1, 20));
    // ±25 %: the deferred jobs of one namespace do not all look again at the same moment
    return Math.round(base * (0.75 + this.#random() * 0.5));
  }

  /** Deliveries in flight for a namespace's own services (all namespaces when none is given). */
  inFlight(namespace?: string): number {
    return namespace === undefined ? this.#total : (this.#inFlight.get(namespace) ?? 0);
  }
}
