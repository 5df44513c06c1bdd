// A rendered, service-shaped notification: what the templates stage produces and a sink sends.

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  username?: string;
  icon?: string; // emoji (":rocket:") or URL
  /** Messages with the same grouping key go in one thread; the first is the root. */
  groupingKey?: string;
  notifyBroadcast?: boolean;
  deliveryPolicy?: "Post" | "PostAndUpdate" | "Update";
}

export interface PagerDutyEvent {
  eventAction: "trigger" | "acknowledge" | "resolve";
  dedupKey: string;
  summary: string;
  severity: "critical" | "error" | "warning" | "info";
  source: string;
  component?: string;
  group?: string;
  class?: string;
  customDetails?: Record<string, unknown>;
}

export interface WebhookRequest {
  method: string;
  path: string;
  body: string;
  headers?: { name: string; value: string }[];
}

export interface Notification {
  /** Plain-text message (template `message`). */
  message: string;
  slack?: SlackMessage;
  pagerduty?: PagerDutyEvent;
  webhook?: WebhookRequest;
}
