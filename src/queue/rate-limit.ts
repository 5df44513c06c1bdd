// Per-destination rate limits (e.g. Slack: about one message per second per channel, short bursts allowed).
// GCRA: a destination may send `burst` messages at once, then one per 1/perSecond. The pure function here is
// what the in-memory store uses; the Redis store runs the same arithmetic in its claim script (lua/claim.lua).
import type { Destination, ServiceConfig } from "../config/types.ts";
import { serviceTypeOf } from "../sinks/registry.ts";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export type RateLimitFor = (service: ServiceConfig, destination: Destination) => RateLimit | undefined;

/** The service type's default (Slack channels: 1/s with bursts of 3); unlimited when it has none (429s honoured). */
export const defaultRateLimitFor: RateLimitFor = (service) => serviceTypeOf(service.type)?.rateLimit;

export function rateLimitKey(destination: Destination): string {
  return `${destination.service}\u0000${destination.recipient}`;
}

export function emissionIntervalMs(limit: RateLimit): number {
  if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
    throw new Error(`rate limit: perSecond must be > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
  }
  return Math.max(1, Math.round(1000 / limit.perSecond));
}

/**
 * One GCRA step. `tat` is the theoretical arrival time stored for the destination (0 when none).
 * Returns waitMs 0 and the new tat when a message may go now, else how long to wait (tat unchanged).
 */
export function gcraTake(tat: number, now: number, limit: RateLimit): { waitMs: number; tat: number } {
  const t = emissionIntervalMs(limit);
  const tau = t * (Math.floor(limit.burst) - 1);
  const base = Math.max(tat, now);
  const allowAt = base - tau;
  if (now < allowAt) return { waitMs: allowAt - now, tat };
  return { waitMs: 0, tat: base + t };
}
