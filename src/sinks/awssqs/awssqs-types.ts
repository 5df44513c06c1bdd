// The AWS SQS service type's shapes: `service.awssqs` config (notifications-engine AwsSqsOptions: queue, account,
// region, endpointUrl, key, secret; plus sessionToken and delaySeconds), the template's `awssqs:` section
// (upstream: messageAttributes, messageGroupId; extensions: body, messageDeduplicationId), the rendered message.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface AwsSqsServiceConfig extends ServiceConfigBase {
  type: "awssqs";
  /** Queue name; a subscription's recipient, when not empty, takes precedence (upstream). */
  queue?: string;
  /** The queue owner's AWS account id (GetQueueUrl's QueueOwnerAWSAccountId). */
  account?: string;
  /** AWS region; default AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  /** API endpoint (LocalStack, a VPC endpoint); default the region's SQS endpoint. */
  endpointUrl?: string;
  /** Access key id; with `secret` (both non-empty) static credentials, else the default AWS credential chain — secret. */
  key?: string;
  /** Secret access key — secret. */
  secret?: string;
  /** Session token for temporary static credentials (extension) — secret. */
  sessionToken?: string;
  /** Per-message delay on standard queues, 0 … 900 s (extension; upstream always sends 10). */
  delaySeconds?: number;
}

export interface AwsSqsTemplateSpec {
  /** The message body (extension; default: the template's `message`, as upstream). */
  body?: string;
  /** String message attributes: name → value template. */
  messageAttributes?: Record<string, string>;
  /** FIFO message group (upstream); on a FIFO queue without it: `<namespace>/<rollout>`. */
  messageGroupId?: string;
  /** FIFO deduplication id (extension); default a hash of the job id. */
  messageDeduplicationId?: string;
}

export interface AwsSqsMessage {
  body: string;
  messageAttributes?: Record<string, string>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** The group a FIFO queue gets when the template names none: the Rollout's `<namespace>/<name>`. */
  defaultMessageGroupId?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    awssqs: AwsSqsServiceConfig;
  }
  interface TemplateSections {
    awssqs?: AwsSqsTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    awssqs?: AwsSqsMessage;
  }
}
