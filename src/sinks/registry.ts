// The service types: one line per type. Everything that depends on a service's type looks it up here.
import type { ServiceConfigBase } from "../config/types.ts";
import { alertmanagerService } from "./alertmanager/alertmanager-service.ts";
import { awsSqsService } from "./awssqs/awssqs-service.ts";
import { datadogService } from "./datadog/datadog-service.ts";
import { emailService } from "./email/email-service.ts";
import { gcppubsubService } from "./gcppubsub/gcppubsub-service.ts";
import { githubService } from "./github/github-service.ts";
import { gitlabService } from "./gitlab/gitlab-service.ts";
import { googleChatService } from "./googlechat/googlechat-service.ts";
import { grafanaService } from "./grafana/grafana-service.ts";
import { mattermostService } from "./mattermost/mattermost-service.ts";
import { natsService } from "./nats/nats-service.ts";
import { newrelicService } from "./newrelic/newrelic-service.ts";
import { opsgenieService } from "./opsgenie/opsgenie-service.ts";
import { pagerDutyV2Service } from "./pagerduty/pagerduty-service.ts";
import { pagerDutyRestService } from "./pagerduty-rest/pagerduty-rest-service.ts";
import { pushoverService } from "./pushover/pushover-service.ts";
import { rocketChatService } from "./rocketchat/rocketchat-service.ts";
import type { AnyServiceTypeDefinition } from "./service-type.ts";
import { slackService } from "./slack/slack-service.ts";
import { teamsService } from "./teams/teams-service.ts";
import { teamsWorkflowsService } from "./teams-workflows/teams-workflows-service.ts";
import { telegramService } from "./telegram/telegram-service.ts";
import { webexService } from "./webex/webex-service.ts";
import { webhookService } from "./webhook/webhook-service.ts";

export const SERVICE_TYPES: readonly AnyServiceTypeDefinition[] = [
  slackService,
  pagerDutyV2Service,
  webhookService,
  emailService,
  telegramService,
  opsgenieService,
  teamsWorkflowsService,
  teamsService,
  pagerDutyRestService,
  alertmanagerService,
  googleChatService,
  natsService,
  pushoverService,
  webexService,
  rocketChatService,
  newrelicService,
  grafanaService,
  mattermostService,
  githubService,
  datadogService,
  gitlabService,
  awsSqsService,
  gcppubsubService,
];

/**
 * notifications-engine's other service types (the `NewService` switch of its pkg/services/services.go): a config naming
 * one is rejected with a pointer to the docs, never silently ignored.
 */
export const UPSTREAM_TYPES_NOT_BUILT: readonly string[] = [];

const BY_TYPE: ReadonlyMap<string, AnyServiceTypeDefinition> = new Map(SERVICE_TYPES.map((t) => [t.type, t]));

/** The definition of a service type, or undefined when the type is not registered. */
export function serviceTypeOf(type: string): AnyServiceTypeDefinition | undefined {
  return BY_TYPE.get(type);
}

/** The definition for a service config (its type is registered: configs are only built for registered types). */
export function serviceTypeFor(service: ServiceConfigBase): AnyServiceTypeDefinition {
  const def = BY_TYPE.get(service.type);
  if (!def) throw new Error(`service type "${service.type}" is not registered (${service.name})`);
  return def;
}
