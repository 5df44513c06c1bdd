// The Webex service type's shapes: `service.webex` config (notifications-engine WebexOptions: token, apiURL,
// insecureSkipVerify), the template's `webex:` section (extension: upstream sends the `message` as markdown), the
// rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface WebexServiceConfig extends ServiceConfigBase {
  type: "webex";
  /** Bot access token — secret. */
  token: string;
  /** API base URL, default https://webexapis.com */
  apiURL?: string;
  insecureSkipVerify?: boolean;
}

export interface WebexTemplateSpec {
  markdown?: string;
}

export interface WebexMessage {
  markdown: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    webex: WebexServiceConfig;
  }
  interface TemplateSections {
    webex?: WebexTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    webex?: WebexMessage;
  }
}
