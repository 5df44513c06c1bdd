// The NATS service type's shapes: `service.nats` config (notifications-engine NatsOptions: url, headers, nkey,
// username, password), the template's `nats:` section (extension: upstream publishes the `message`), the rendered
// message data.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface NatsServiceConfig extends ServiceConfigBase {
  type: "nats";
  /** Server URL(s), e.g. nats://nats.nats.svc.cluster.local:4222 (comma-separated for several, as nats.Connect). */
  url: string;
  /** Headers set on every published message. */
  headers?: Record<string, string>;
  /** NKey seed (SU…) for nkey authentication — secret. */
  nkey?: string;
  username?: string;
  /** Used with `username` (upstream sends user info only when both are set) — secret. */
  password?: string;
}

export interface NatsTemplateSpec {
  /** The message data (default: the template's `message`). */
  data?: string;
}

export interface NatsMessage {
  data: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    nats: NatsServiceConfig;
  }
  interface TemplateSections {
    nats?: NatsTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    nats?: NatsMessage;
  }
}
