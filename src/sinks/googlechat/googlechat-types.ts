// The Google Chat service type's shapes: `service.googlechat` config (notifications-engine: webhooks per space), the
// template's `googlechat:` section (cards, cardsV2, threadKey), the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface GoogleChatServiceConfig extends ServiceConfigBase {
  type: "googlechat";
  /** Space name (the recipient) → incoming webhook URL (key and token in its query) — secret. */
  webhooks: Record<string, string>;
}

export interface GoogleChatTemplateSpec {
  cards?: string;
  cardsV2?: string;
  threadKey?: string;
}

export interface GoogleChatMessage {
  text?: string;
  cards?: unknown[];
  cardsV2?: unknown[];
  threadKey?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    googlechat: GoogleChatServiceConfig;
  }
  interface TemplateSections {
    googlechat?: GoogleChatTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    googlechat?: GoogleChatMessage;
  }
}
