// What a Datadog delivery sends (pure): an Events API v1 event, POST <api>/api/v1/events with DD-API-KEY and
// {title (≤ 100 characters), text (≤ 4000), alert_type, priority, tags, aggregation_key (≤ 100)}. The API root is
// `apiURL`, else https://api.<site> (default datadoghq.com). Tags: the service's, the template's, and the recipient
// (a tag, e.g. "team:payments"), in that order, without duplicates.
import { createHash } from "node:crypto";
import { truncateChars } from "../../templates/fields.ts";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { DatadogServiceConfig } from "./datadog-types.ts";

export const DEFAULT_DATADOG_SITE = "datadoghq.com";
export const DATADOG_TITLE_MAX = 100;
export const DATADOG_TEXT_MAX = 4000;
export const DATADOG_AGGREGATION_KEY_MAX = 100;
export const DATADOG_TAG_MAX = 200;
export const ALERT_TYPES = [
  "error",
  "warning",
  "info",
  "success",
  "user_update",
  "recommendation",
  "snapshot",
] as const;
export const PRIORITIES = ["normal", "low"] as const;

/** Why Datadog would not keep `tag` as written (it must start with a letter: letters, digits, _ - : . /). */
export function datadogTagProblem(tag: string): string | undefined {
  if (tag.length > DATADOG_TAG_MAX) return `a tag is at most ${DATADOG_TAG_MAX} characters`;
  if (!/^[A-Za-z][\w\-:./]*$/.test(tag))
    return "a tag starts with a letter and has only letters, digits, _ - : . /";
  return undefined;
}

export function datadogRecipientProblem(recipient: string): string | undefined {
  if (recipient === "") return undefined;
  const why = datadogTagProblem(recipient);
  return why
    ? `a recipient is a Datadog tag added to the event (e.g. team:payments), or empty: ${why}`
    : undefined;
}

export const datadogApiRoot = (service: DatadogServiceConfig) =>
  (service.apiURL || `https://api.${service.site || DEFAULT_DATADOG_SITE}`).replace(/\/+$/, "");

export const datadogEventsUrl = (service: DatadogServiceConfig) => `${datadogApiRoot(service)}/api/v1/events`;

export interface DatadogEventBody {
  title: string;
  text: string;
  alert_type?: string;
  priority?: string;
  tags: string[];
  aggregation_key?: string;
}

const invalid = (where: string, why: string) =>
  new DeliveryError(`${where}: ${why}`, { transient: false, code: "invalid_message" });

/** A tag as Datadog stores it: other characters become "_", cut to 200 characters. */
const normalisedTag = (tag: string) => tag.replace(/[^\w\-:./]/g, "_").slice(0, DATADOG_TAG_MAX);

/** An aggregation key within Datadog's bound: longer ones are replaced by their SHA-256 (still one per key). */
const boundedKey = (key: string) =>
  key.length <= DATADOG_AGGREGATION_KEY_MAX ? key : createHash("sha256").update(key).digest("hex");

export function buildDatadogEvent(
  service: DatadogServiceConfig,
  recipient: string,
  notification: Notification,
  where: string,
): DatadogEventBody {
  const problem = datadogRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const part = notification.datadog;
  const title = part?.title.trim() ?? "";
  if (!title) throw invalid(where, "an event needs a title (datadog.title rendered empty)");
  const text = part?.text || notification.message;
  if (!text.trim()) throw invalid(where, "an event needs a text (datadog.text and message rendered empty)");
  const body: DatadogEventBody = {
    title: truncateChars(title, DATADOG_TITLE_MAX),
    text: truncateChars(text, DATADOG_TEXT_MAX),
    tags: [],
  };
  if (part?.alertType) {
    if (!(ALERT_TYPES as readonly string[]).includes(part.alertType))
      throw invalid(
        where,
        `alertType ${JSON.stringify(truncateChars(part.alertType, 40))} is not one of ${ALERT_TYPES.join(", ")}`,
      );
    body.alert_type = part.alertType;
  }
  if (part?.priority) {
    if (!(PRIORITIES as readonly string[]).includes(part.priority))
      throw invalid(
        where,
        `priority ${JSON.stringify(truncateChars(part.priority, 40))} is not one of normal, low`,
      );
    body.priority = part.priority;
  }
  const tags = [
    ...(service.tags ?? []),
    ...(part?.tags ?? []).map(normalisedTag),
    ...(recipient ? [recipient] : []),
  ];
  body.tags = [...new Set(tags.filter((t) => /^[A-Za-z]/.test(t)))];
  if (part?.aggregationKey) body.aggregation_key = boundedKey(part.aggregationKey);
  return body;
}
