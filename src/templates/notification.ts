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
  /**
   * Extension (built-in templates set it): what the thread's root message shows, i.e. the current state of the
   * Rollout revision. See "What the Slack sink is expected to do" below.
   */
  threadRoot?: SlackThreadRoot;
}

export interface SlackThreadRoot {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

// What the Slack sink is expected to do (upstream notifications-engine semantics, plus `threadRoot`):
//
// The sink keeps, per (channel, groupingKey), the ts of the thread's root message (persisted, so threads
// survive restarts). text/blocks/attachments are posted with chat.postMessage; link_names must stay off
// (templates escape & < > in cluster-provided text so it cannot ping or link; see docs/templates.md).
//
//   no groupingKey                 → post the message to the channel.
//   groupingKey, no root yet       → post `threadRoot` if set, else the message, to the channel; remember its ts
//                                    as the root. When `threadRoot` was posted, then post the message as the
//                                    first reply (thread_ts = root).
//   root exists, Post              → post the message as a reply (reply_broadcast = notifyBroadcast).
//   root exists, PostAndUpdate     → post the message as a reply, then chat.update the root with `threadRoot`
//                                    (or with the message when there is no `threadRoot`, as upstream does).
//   root exists, Update            → only chat.update the root (with `threadRoot`, else the message).
//
// Built-in templates use groupingKey "<namespace>/<rollout>/<revision>", deliveryPolicy PostAndUpdate and a
// `threadRoot` showing the revision's current state (colour by outcome), so each revision has one thread whose
// root is updated in place while steps, pauses, analysis and the outcome reply in the thread.

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
  /** upstream `url`: the event's client_url. */
  clientUrl?: string;
  /**
   * Extension (built-in templates set it to "<namespace>/<rollout>"): groups the alerts of one Rollout. The sink
   * records (per routing key and group) the dedup keys it triggered with this group; a `resolve` carrying the group
   * resolves its own dedupKey and every recorded key of the group (so the completion of revision 3 resolves the
   * incident revision 2's abort opened). Without it, a resolve only resolves its own dedupKey (upstream).
   */
  incidentGroup?: string;
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
  /**
   * Set instead of the service parts when rendering failed for good (its render budget ran out): the job is
   * enqueued like any other — so the transition is recorded and never rendered again — and the worker
   * dead-letters it with this reason without calling the sink.
   */
  renderFailure?: { code: string; message: string };
}
