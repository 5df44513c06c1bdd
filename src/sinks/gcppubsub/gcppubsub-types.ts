// The Google Cloud Pub/Sub service type's shapes: `service.gcppubsub` config (notifications-engine GcpPubsubOptions:
// project, topic, keyFile; plus keyJSON and endpoint), the template's `gcppubsub:` section (upstream's attributes;
// extension: data) and the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface GcpPubsubServiceConfig extends ServiceConfigBase {
  type: "gcppubsub";
  /** Project id of the topics. */
  project: string;
  /** Topic id used when a subscription names none (its recipient is empty). */
  topic?: string;
  /** Path of a service account key file (JSON) in the notifier's pod (upstream); central services only. */
  keyFile?: string;
  /** The content of a service account key file (extension; usually `$gcp-pubsub-key` from the Secret) — secret. */
  keyJSON?: string;
  /** Pub/Sub API root, default https://pubsub.googleapis.com (extension: a regional endpoint, a proxy). */
  endpoint?: string;
}

export interface GcpPubsubTemplateSpec {
  /** Message attributes (upstream): name → template. */
  attributes?: Record<string, string>;
  /** The message data (extension; default: the template's `message`, as upstream). */
  data?: string;
}

export interface GcpPubsubMessage {
  data: string;
  attributes?: Record<string, string>;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    gcppubsub: GcpPubsubServiceConfig;
  }
  interface TemplateSections {
    gcppubsub?: GcpPubsubTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    gcppubsub?: GcpPubsubMessage;
  }
}
