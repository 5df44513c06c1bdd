// The Rocket.Chat service type's shapes: `service.rocketchat` config (notifications-engine RocketChatOptions: email,
// password, serverUrl, alias, icon, avatar), the template's `rocketchat:` section (upstream: attachments; extension:
// text), the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface RocketChatServiceConfig extends ServiceConfigBase {
  type: "rocketchat";
  /** Login of the bot user (Rocket.Chat accepts a user name or an email address). */
  email: string;
  /** Secret. */
  password: string;
  /** Server URL, default https://open.rocket.chat as upstream's client. */
  serverUrl?: string;
  alias?: string;
  /** Emoji shown as the avatar (":rocket:"). */
  icon?: string;
  /** Avatar image URL. */
  avatar?: string;
}

export interface RocketChatTemplateSpec {
  text?: string;
  /** JSON array of Rocket.Chat attachments (after rendering). */
  attachments?: string;
}

export interface RocketChatMessage {
  text: string;
  attachments?: unknown[];
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    rocketchat: RocketChatServiceConfig;
  }
  interface TemplateSections {
    rocketchat?: RocketChatTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    rocketchat?: RocketChatMessage;
  }
}
