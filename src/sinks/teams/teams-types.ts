// The Teams (Office 365 connector) service type's shapes: `service.teams` config (notifications-engine:
// recipientUrls per channel), the template's `teams:` section, the rendered MessageCard.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface TeamsServiceConfig extends ServiceConfigBase {
  type: "teams";
  /** Channel (the recipient) → incoming webhook URL — secret. */
  recipientUrls: Record<string, string>;
}

export interface TeamsTemplateSpec {
  template?: string;
  title?: string;
  summary?: string;
  text?: string;
  themeColor?: string;
  facts?: string;
  sections?: string;
  potentialAction?: string;
}

export interface TeamsMessageCard {
  card: Record<string, unknown>;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    teams: TeamsServiceConfig;
  }
  interface TemplateSections {
    teams?: TeamsTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    teams?: TeamsMessageCard;
  }
}
