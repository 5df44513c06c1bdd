// The Teams Workflows service type's shapes: `service.teams-workflows` config (notifications-engine keys:
// recipientUrls per channel, rawCardPayload), the template's `teams-workflows:` section, the rendered card.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface TeamsWorkflowsServiceConfig extends ServiceConfigBase {
  type: "teams-workflows";
  /** Channel (the recipient) → Power Automate workflow webhook URL — secret. */
  recipientUrls: Record<string, string>;
  /** Send the Adaptive Card itself as the body instead of the message + attachments envelope. */
  rawCardPayload?: boolean;
}

export interface TeamsWorkflowsTemplateSpec {
  title?: string;
  text?: string;
  summary?: string;
  themeColor?: string;
  facts?: string;
  sections?: string;
  potentialAction?: string;
  adaptiveCard?: string;
  template?: string;
}

export interface TeamsWorkflowsCard {
  /** The Adaptive Card (type AdaptiveCard). */
  card: Record<string, unknown>;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    "teams-workflows": TeamsWorkflowsServiceConfig;
  }
  interface TemplateSections {
    "teams-workflows"?: TeamsWorkflowsTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    teamsWorkflows?: TeamsWorkflowsCard;
  }
}
