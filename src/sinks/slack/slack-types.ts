// The Slack service type's shapes: `service.slack` config, the template's `slack:` section, the rendered message.
// Each is added to the generic config/template/notification types by module augmentation.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface SlackServiceConfig extends ServiceConfigBase {
  type: "slack";
  name: string; // "slack" (service.slack) — the name used in subscriptions
  token: string; // resolved from the Secret; never logged
  apiURL?: string; // default https://slack.com/api/
  username?: string;
  icon?: string;
  signingSecret?: string;
  insecureSkipVerify?: boolean;
  /** Set when the service comes from a namespace's self-service ConfigMap (that namespace's name). */
  tenantNamespace?: string;
}

export interface SlackTemplateSpec {
  text?: string;
  attachments?: string; // JSON after rendering
  blocks?: string; // JSON after rendering
  groupingKey?: string;
  notifyBroadcast?: boolean;
  deliveryPolicy?: "Post" | "PostAndUpdate" | "Update";
  username?: string;
  icon?: string;
  /** Extension (not upstream; used by built-in templates): what the grouping thread's root message shows. */
  threadRoot?: { text?: string; attachments?: string; blocks?: string };
}

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

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    slack: SlackServiceConfig;
  }
  interface TemplateSections {
    slack?: SlackTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    slack?: SlackMessage;
  }
}
