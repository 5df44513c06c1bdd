// The Mattermost service type's shapes: `service.mattermost` config (notifications-engine MattermostOptions: apiURL,
// token, insecureSkipVerify), the template's `mattermost:` section (upstream: attachments; extensions: groupingKey,
// deliveryPolicy, threadRoot), the rendered post.
import type { ServiceConfigBase } from "../../config/types.ts";
import type { DeliveryPolicy } from "../common/thread-poster.ts";

export interface MattermostServiceConfig extends ServiceConfigBase {
  type: "mattermost";
  /** Server URL, e.g. https://mattermost.example.com (upstream has no default). */
  apiURL: string;
  /** Bot or personal access token. Secret. */
  token: string;
  insecureSkipVerify?: boolean;
}

export interface MattermostTemplateSpec {
  /** JSON array of message attachments (after rendering); upstream's only field. */
  attachments?: string;
  /** Extension: posts with the same key form one thread (the first is its root). */
  groupingKey?: string;
  /** Extension: what a later post of a group does (Slack's policies). */
  deliveryPolicy?: DeliveryPolicy;
  /** Extension (built-in templates use it): what the group's root post shows, updated in place. */
  threadRoot?: { message?: string; attachments?: string };
}

export interface MattermostContent {
  message: string;
  attachments?: unknown[];
}

export interface MattermostPost extends MattermostContent {
  groupingKey?: string;
  deliveryPolicy?: DeliveryPolicy;
  threadRoot?: MattermostContent;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    mattermost: MattermostServiceConfig;
  }
  interface TemplateSections {
    mattermost?: MattermostTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    mattermost?: MattermostPost;
  }
}
