// What a delivery would send, service-shaped, for `replay --dry-run` and the `--capture` sink: the Slack
// chat.postMessage arguments (plus the thread plan), the PagerDuty Events v2 body, the webhook request. Built
// with the sinks' own pure builders, so a payload they would reject fails here the same way (DeliveryError).
// Secrets never appear: the routing key, credential and signature headers are replaced by "[redacted]", and
// redactSecrets() removes any known secret value that a template or URL carried.
import type { Destination, ServiceConfig } from "../config/types.ts";
import { buildPagerDutyEventBody, type PagerDutyEventBody } from "../sinks/pagerduty/pagerduty-event.ts";
import { DeliveryError } from "../sinks/sink.ts";
import { planSlackMessage } from "../sinks/slack/slack-message.ts";
import { buildWebhookRequest } from "../sinks/webhook/webhook-request.ts";
import { SIGNATURE_HEADER } from "../sinks/webhook/webhook-signature.ts";
import type { Notification } from "../templates/notification.ts";

export const REDACTED = "[redacted]";

export interface SlackWirePayload {
  type: "slack";
  /** chat.postMessage arguments (without thread_ts: the sink sets it from the thread it keeps). */
  postMessage: {
    channel: string;
    text: string;
    blocks?: unknown[];
    attachments?: unknown[];
    username?: string;
    icon_emoji?: string;
    icon_url?: string;
  };
  thread?: {
    groupingKey: string;
    deliveryPolicy: string;
    notifyBroadcast: boolean;
    root?: { text: string; blocks?: unknown[]; attachments?: unknown[] };
  };
}

export interface PagerDutyWirePayload {
  type: "pagerdutyv2";
  url: string;
  event: PagerDutyEventBody;
  /** Extension: a resolve also resolves the alerts this group triggered. */
  incidentGroup?: string;
}

export interface WebhookWirePayload {
  type: "webhook";
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type WirePayload = SlackWirePayload | PagerDutyWirePayload | WebhookWirePayload;

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", SIGNATURE_HEADER.toLowerCase()]);

export interface WirePayloadInput {
  jobId: string;
  destination: Destination;
  service: ServiceConfig;
  notification: Notification;
  /** Timestamp for the PagerDuty event and webhook signature (fixed for deterministic output). */
  now: Date;
}

export function buildWirePayload(input: WirePayloadInput): WirePayload {
  const { service, destination, notification } = input;
  switch (service.type) {
    case "slack": {
      const where = `slack service ${JSON.stringify(service.name)} channel ${JSON.stringify(destination.recipient)}`;
      const plan = planSlackMessage(notification, service, where);
      const postMessage: SlackWirePayload["postMessage"] = {
        channel: destination.recipient,
        text: plan.content.text,
      };
      if (plan.content.blocks) postMessage.blocks = plan.content.blocks;
      if (plan.content.attachments) postMessage.attachments = plan.content.attachments;
      if (plan.username) postMessage.username = plan.username;
      if (plan.icon_emoji) postMessage.icon_emoji = plan.icon_emoji;
      if (plan.icon_url) postMessage.icon_url = plan.icon_url;
      const out: SlackWirePayload = { type: "slack", postMessage };
      if (plan.groupingKey) {
        out.thread = {
          groupingKey: plan.groupingKey,
          deliveryPolicy: plan.policy,
          notifyBroadcast: plan.notifyBroadcast,
        };
        if (plan.threadRoot) out.thread.root = plan.threadRoot;
      }
      return out;
    }
    case "pagerdutyv2": {
      const recipient = destination.recipient;
      const where = `pagerdutyv2 service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;
      const routingKey = Object.hasOwn(service.serviceKeys, recipient)
        ? service.serviceKeys[recipient]
        : undefined;
      if (!routingKey) {
        throw new DeliveryError(
          `${where}: no routing key configured for recipient ${JSON.stringify(recipient)}`,
          {
            transient: false,
            code: "unknown_recipient",
          },
        );
      }
      const event = notification.pagerduty;
      if (!event) {
        throw new DeliveryError(`${where}: the template has no pagerdutyv2 section`, {
          transient: false,
          code: "no_pagerduty_event",
        });
      }
      const body = buildPagerDutyEventBody({
        event,
        routingKey,
        jobId: input.jobId,
        where,
        timestamp: input.now.toISOString(),
      });
      const out: PagerDutyWirePayload = {
        type: "pagerdutyv2",
        url: new URL("/v2/enqueue", service.apiURL || "https://events.pagerduty.com").toString(),
        event: { ...body, routing_key: REDACTED },
      };
      if (event.incidentGroup) out.incidentGroup = event.incidentGroup;
      return out;
    }
    case "webhook": {
      const req = buildWebhookRequest({
        service,
        request: notification.webhook,
        message: notification.message,
        jobId: input.jobId,
        nowSec: Math.floor(input.now.getTime() / 1000),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = CREDENTIAL_HEADERS.has(k) ? REDACTED : v;
      return { type: "webhook", method: req.method, url: req.url.toString(), headers, body: req.body };
    }
  }
}

/** Replaces every occurrence of a known secret value in a text (e.g. a JSON line) by "[redacted]". */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of sorted) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    // the same value as it appears inside JSON strings
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
