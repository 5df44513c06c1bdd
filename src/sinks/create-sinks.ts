// The sinks a queue worker delivers through: one per service type, sharing keep-alive HTTP agents. Clients are
// reused per service config (Slack WebClient per token/apiURL; undici Agents keep per-origin pools).

import type { ServiceType } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import { HttpDispatchers } from "./http/http-dispatchers.ts";
import {
  InMemoryPagerDutyIncidents,
  type PagerDutyIncidentStore,
  RedisPagerDutyIncidents,
} from "./pagerduty/pagerduty-incidents.ts";
import { PagerDutySink } from "./pagerduty/pagerduty-sink.ts";
import type { Sink } from "./sink.ts";
import { RedisSlackState } from "./slack/redis-slack-state.ts";
import { SlackSink } from "./slack/slack-sink.ts";
import { InMemorySlackState, type SlackState } from "./slack/slack-state.ts";
import { WebhookSink } from "./webhook/webhook-sink.ts";

export interface CreateSinksOptions {
  /**
   * Slack thread roots and the post journal, and PagerDuty's open alerts per incident group, live here; without it
   * they are process-local (demo, tests).
   */
  redis?: RedisClient;
  logger: Logger;
  /**
   * Let services from a namespace's self-service config reach private/loopback/link-local addresses
   * (--allow-private-webhooks). Applies to webhook URLs and to Slack/PagerDuty apiURLs.
   */
  allowPrivateNetworks?: boolean;
  /** Overrides the Slack state (tests). */
  slackState?: SlackState;
  /** Overrides the PagerDuty incident-group store (tests). */
  pagerDutyIncidents?: PagerDutyIncidentStore;
  /** Request timeout for Slack and PagerDuty calls (webhooks use their service `timeoutMs`). */
  timeoutMs?: number;
}

export interface Sinks extends Record<ServiceType, Sink> {
  /** The sink for a service type, in the shape the queue's `sinks` option takes. */
  sinkFor(type: ServiceType): Sink | undefined;
  /** Closes the shared HTTP agents. */
  close(): Promise<void>;
}

export function createSinks(opts: CreateSinksOptions): Sinks {
  const dispatchers = new HttpDispatchers();
  const logger = opts.logger.child({ component: "sinks" });
  const state = opts.slackState ?? (opts.redis ? new RedisSlackState(opts.redis) : new InMemorySlackState());
  const incidents =
    opts.pagerDutyIncidents ??
    (opts.redis ? new RedisPagerDutyIncidents(opts.redis) : new InMemoryPagerDutyIncidents());
  const timeout = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
  const allow =
    opts.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: opts.allowPrivateNetworks } : {};
  const byType: Record<ServiceType, Sink> = {
    slack: new SlackSink({ state, dispatchers, logger, ...timeout, ...allow }),
    pagerdutyv2: new PagerDutySink({ dispatchers, logger, incidents, ...timeout, ...allow }),
    webhook: new WebhookSink({ dispatchers, logger, ...allow }),
  };
  return {
    ...byType,
    sinkFor: (type) => (Object.hasOwn(byType, type) ? byType[type] : undefined),
    close: () => dispatchers.close(),
  };
}
