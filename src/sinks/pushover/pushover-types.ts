// The Pushover service type's shapes: `service.pushover` config (notifications-engine PushoverOptions: token; plus
// apiURL), the template's `pushover:` section (extension: upstream sends the `message`), the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface PushoverServiceConfig extends ServiceConfigBase {
  type: "pushover";
  /** Application API token — secret. */
  token: string;
  /** Messages API base URL, default https://api.pushover.net (extension). */
  apiURL?: string;
}

export interface PushoverTemplateSpec {
  title?: string;
  message?: string;
  /** -2 … 2 (2, emergency, is sent with retry 60 s / expire 3600 s). */
  priority?: string;
  url?: string;
  urlTitle?: string;
  sound?: string;
}

export interface PushoverMessage {
  message: string;
  title?: string;
  priority?: number;
  url?: string;
  urlTitle?: string;
  sound?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    pushover: PushoverServiceConfig;
  }
  interface TemplateSections {
    pushover?: PushoverTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    pushover?: PushoverMessage;
  }
}
