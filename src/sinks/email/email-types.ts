// The email service type's shapes: `service.email(.<name>)` config (notifications-engine EmailOptions keys), the
// template's `email:` section, the rendered message. Added to the generic types by module augmentation.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface EmailServiceConfig extends ServiceConfigBase {
  type: "email";
  host: string;
  port: number;
  /** SMTP AUTH user; without it the server is used unauthenticated. */
  username?: string;
  /** secret */
  password?: string;
  from: string;
  /** The body is HTML (sent as text/html), as upstream's `html: true`. */
  html?: boolean;
  insecure_skip_verify?: boolean;
}

export interface EmailTemplateSpec {
  subject?: string;
  body?: string;
  /** Extension (built-in templates: "<namespace>/<rollout>/<revision>"): emails with the same key form one thread. */
  threadKey?: string;
}

export interface EmailMessage {
  subject: string;
  body: string;
  threadKey?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    email: EmailServiceConfig;
  }
  interface TemplateSections {
    email?: EmailTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    email?: EmailMessage;
  }
}
