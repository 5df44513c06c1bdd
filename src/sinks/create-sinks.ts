// The sinks a queue worker delivers through: one per registered service type (registry.ts), sharing keep-alive HTTP
// agents. Clients are reused per service config (Slack WebClient per token/apiURL; undici Agents keep per-origin
// pools).

import type { ServiceType } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { HttpDispatchers } from "./http/http-dispatchers.ts";
import { redactingSink } from "./redacting-sink.ts";
import { SERVICE_TYPES } from "./registry.ts";
import type { AnyServiceTypeDefinition, SinkDeps } from "./service-type.ts";
import type { Sink } from "./sink.ts";

export interface CreateSinksOptions {
  /**
   * Durable sink state (Slack thread roots and post journal, PagerDuty's open alerts per incident group, …) lives
   * here; without it it is process-local (demo, tests).
   */
  redis?: RedisClient;
  logger: Logger;
  /**
   * Let services from a namespace's self-service config reach private/loopback/link-local addresses
   * (--allow-private-webhooks). Applies to webhook URLs and to every service's API URL.
   */
  allowPrivateNetworks?: boolean;
  /** Per-type state overrides by type name (tests), e.g. `{ slack: new InMemorySlackState() }`. */
  state?: Readonly<Record<string, unknown>>;
  /** Request timeout for API calls (webhooks use their service `timeoutMs`). */
  timeoutMs?: number;
}

export interface Sinks {
  /** The sink for a service type, in the shape the queue's `sinks` option takes. */
  sinkFor(type: ServiceType): Sink | undefined;
  /** Closes the shared HTTP agents. */
  close(): Promise<void>;
}

export function createSinks(opts: CreateSinksOptions): Sinks {
  const dispatchers = new HttpDispatchers();
  const deps: SinkDeps = { dispatchers, logger: opts.logger.child({ component: "sinks" }) };
  if (opts.redis) deps.redis = opts.redis;
  if (opts.timeoutMs !== undefined) deps.timeoutMs = opts.timeoutMs;
  if (opts.allowPrivateNetworks !== undefined) deps.allowPrivateNetworks = opts.allowPrivateNetworks;
  if (opts.state) deps.state = opts.state;
  const byType = new Map<string, Sink>(SERVICE_TYPES.map((t) => [t.type, createServiceSink(t, deps)]));
  return {
    sinkFor: (type) => byType.get(type),
    close: () => dispatchers.close(),
  };
}

/** The sink of one service type as the queue uses it: errors never carry the service's secrets. */
export function createServiceSink(def: AnyServiceTypeDefinition, deps: SinkDeps): Sink {
  return redactingSink(def, def.createSink(deps)) as Sink;
}
