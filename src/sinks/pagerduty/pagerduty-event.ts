// Builds a PagerDuty Events API v2 request body (pure), applying the documented limits:
// routing_key 32 chars, event_action trigger|acknowledge|resolve, dedup_key ≤ 255 chars (required for
// acknowledge/resolve), payload.summary ≤ 1024 chars, source and severity required for trigger.
import { createHash } from "node:crypto";
import { DeliveryError } from "../sink.ts";
import type { PagerDutyEvent } from "./pagerduty-types.ts";

export const EVENT_ACTIONS = ["trigger", "acknowledge", "resolve"] as const;
export const SEVERITIES = ["critical", "error", "warning", "info"] as const;
export const MAX_SUMMARY = 1024;
export const MAX_DEDUP_KEY = 255;
export const MAX_EVENT_BYTES = 512 * 1024;
export const PAGERDUTY_CLIENT = "rollouts-notifier";

export interface PagerDutyEventBody {
  routing_key: string;
  event_action: (typeof EVENT_ACTIONS)[number];
  dedup_key: string;
  client?: string;
  payload?: {
    summary: string;
    source: string;
    severity: (typeof SEVERITIES)[number];
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
}

function invalid(where: string, what: string): DeliveryError {
  return new DeliveryError(`${where}: ${what}`, { transient: false, code: "invalid_event" });
}

/**
 * Dedup keys longer than PagerDuty accepts are shortened deterministically (prefix + hash), so a trigger and
 * the resolve rendered from the same template still match.
 */
export function boundedDedupKey(key: string): string {
  if (key.length <= MAX_DEDUP_KEY) return key;
  const digest = createHash("sha256").update(key).digest("hex").slice(0, 40);
  return `${key.slice(0, MAX_DEDUP_KEY - 41)}~${digest}`;
}

/** Summaries over the limit are cut (a page with a shortened title beats no page). */
export function boundedSummary(summary: string): string {
  return summary.length <= MAX_SUMMARY ? summary : `${summary.slice(0, MAX_SUMMARY - 1)}…`;
}

export function buildPagerDutyEventBody(input: {
  event: PagerDutyEvent;
  routingKey: string;
  /** Used as the dedup key when the template gives none, so retries of one job hit the same alert. */
  jobId: string;
  /** Names the destination in errors (never the routing key). */
  where: string;
  timestamp?: string;
}): PagerDutyEventBody {
  const { event, where } = input;
  if (input.routingKey.length !== 32) {
    throw invalid(
      where,
      `the routing key configured for it is ${input.routingKey.length} characters, not 32`,
    );
  }
  const action = event.eventAction ?? "trigger";
  if (!(EVENT_ACTIONS as readonly string[]).includes(action)) {
    throw invalid(where, `eventAction ${JSON.stringify(action)} is not one of ${EVENT_ACTIONS.join(", ")}`);
  }
  const dedup = boundedDedupKey(event.dedupKey || input.jobId);
  const body: PagerDutyEventBody = {
    routing_key: input.routingKey,
    event_action: action,
    dedup_key: dedup,
  };
  if (action !== "trigger") return body;

  const severity = event.severity || "error";
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw invalid(where, `severity ${JSON.stringify(severity)} is not one of ${SEVERITIES.join(", ")}`);
  }
  if (!event.summary?.trim()) throw invalid(where, "summary is empty (required for trigger)");
  if (!event.source?.trim()) throw invalid(where, "source is empty (required for trigger)");
  const payload: NonNullable<PagerDutyEventBody["payload"]> = {
    summary: boundedSummary(event.summary),
    source: event.source,
    severity: severity as (typeof SEVERITIES)[number],
  };
  if (input.timestamp) payload.timestamp = input.timestamp;
  if (event.component) payload.component = event.component;
  if (event.group) payload.group = event.group;
  if (event.class) payload.class = event.class;
  if (event.customDetails !== undefined) {
    if (
      typeof event.customDetails !== "object" ||
      event.customDetails === null ||
      Array.isArray(event.customDetails)
    ) {
      throw invalid(where, "customDetails must be an object");
    }
    payload.custom_details = event.customDetails;
  }
  body.client = PAGERDUTY_CLIENT;
  body.payload = payload;
  return body;
}
