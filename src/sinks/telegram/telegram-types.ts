// The Telegram service type's shapes: `service.telegram` config (notifications-engine TelegramOptions: token; plus
// apiURL), the template's `telegram:` section (extension: upstream sends the `message`), the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface TelegramServiceConfig extends ServiceConfigBase {
  type: "telegram";
  /** Bot token — secret. */
  token: string;
  /** Bot API base URL, default https://api.telegram.org */
  apiURL?: string;
}

export interface TelegramTemplateSpec {
  text?: string;
  /** "Markdown" (upstream's), "MarkdownV2", "HTML", or "" for plain text. */
  parseMode?: string;
  /** Messages with the same key reply to the first one (built-in: "<namespace>/<rollout>/<revision>"). */
  threadKey?: string;
}

export interface TelegramMessage {
  text: string;
  parseMode?: string;
  threadKey?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    telegram: TelegramServiceConfig;
  }
  interface TemplateSections {
    telegram?: TelegramTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    telegram?: TelegramMessage;
  }
}
