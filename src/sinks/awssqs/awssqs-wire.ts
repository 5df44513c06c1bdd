// `replay --dry-run`/`--capture` view of an SQS delivery: the endpoint, region and credentials' source (the key and
// secret as [redacted]), the GetQueueUrl input and the SendMessage input (its QueueUrl is GetQueueUrl's answer).
import { oneLine } from "../common/capture-text.ts";
import { REDACTED } from "../common/redacted.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { DeliveryError } from "../sink.ts";
import { buildSqsSend, type SqsSend } from "./awssqs-request.ts";
import type { AwsSqsServiceConfig } from "./awssqs-types.ts";

export interface AwsSqsWirePayload extends SqsSend {
  type: "awssqs";
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | "default chain";
}

export const awsSqsWhere = (service: AwsSqsServiceConfig, recipient: string) =>
  `awssqs service ${JSON.stringify(service.name)} queue ${JSON.stringify(recipient)}`;

/** Static credentials are used when both key and secret are set (upstream), else the default AWS credential chain. */
export const hasStaticCredentials = (service: AwsSqsServiceConfig) => !!service.key && !!service.secret;

/** The service's region, else AWS_REGION, else AWS_DEFAULT_REGION (upstream reads that one). */
export function sqsRegion(
  service: AwsSqsServiceConfig,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const region = service.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region)
    throw new DeliveryError(`${where}: no region (set region, or AWS_REGION/AWS_DEFAULT_REGION)`, {
      transient: false,
      code: "invalid_config",
    });
  return region;
}

export const sqsEndpoint = (service: AwsSqsServiceConfig, region: string) =>
  service.endpointUrl ?? `https://sqs.${region}.amazonaws.com`;

export function awsSqsWirePayload(input: WirePayloadInput<AwsSqsServiceConfig>): AwsSqsWirePayload {
  const { service, destination } = input;
  const where = awsSqsWhere(service, destination.recipient);
  const send = buildSqsSend(input.jobId, destination.recipient, service, input.notification, where);
  const region = sqsRegion(service, where);
  const credentials: AwsSqsWirePayload["credentials"] = hasStaticCredentials(service)
    ? { accessKeyId: REDACTED, secretAccessKey: REDACTED }
    : "default chain";
  if (typeof credentials === "object" && service.sessionToken) credentials.sessionToken = REDACTED;
  return { type: "awssqs", region, endpoint: sqsEndpoint(service, region), credentials, ...send };
}

export function awsSqsCaptureLine(c: CapturedPayload<AwsSqsWirePayload>): string {
  return `awssqs ${c.payload.getQueueUrl.QueueName}  ${oneLine(c.payload.sendMessage.MessageBody)}`;
}
