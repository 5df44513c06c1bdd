// What an SQS delivery sends (pure): the queue (the recipient, else the service's `queue`: upstream's rule), the
// GetQueueUrl input (with the owner account) and the SendMessage input. As upstream: the body is the message and a
// standard queue's message is delayed 10 s (DelaySeconds; `delaySeconds` changes it). Beyond upstream: the
// template's messageAttributes are sent (as String attributes: upstream renders them but never sends them); a FIFO
// queue (`.fifo`) gets a message group (the template's, else the Rollout) and a deduplication id (the template's,
// else a hash of the job id: a retried delivery is dropped by SQS within its 5-minute window), and no per-message
// delay, which SQS refuses on FIFO queues.
import { createHash } from "node:crypto";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { AwsSqsServiceConfig } from "./awssqs-types.ts";

/** Queue names: 1-80 letters, digits, hyphens and underscores; a FIFO queue's name ends in .fifo (within the 80). */
export const SQS_QUEUE_NAME = /^(?=.{1,80}$)[A-Za-z0-9_-]+(\.fifo)?$/;
/** The API's largest message (body and attributes); a queue may be set to accept less (256 KiB by default). */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
export const SQS_MAX_ATTRIBUTES = 10;
/** Upstream sends every message with DelaySeconds 10. */
export const UPSTREAM_DELAY_SECONDS = 10;
/** Characters SQS takes in a body or a String attribute (XML 1.0 characters). */
const NOT_ALLOWED = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/** Group and deduplication ids: at most 128 letters, digits and punctuation. */
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export const isFifoQueue = (queue: string) => queue.endsWith(".fifo");

/** Why SQS would refuse a message attribute name, or undefined. */
export function sqsAttributeNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 256) return "an attribute name is 1-256 characters";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "an attribute name holds only letters, digits, _, - and .";
  if (name.startsWith(".") || name.endsWith(".") || name.includes(".."))
    return "an attribute name must not start or end with a period or hold two in a row";
  if (/^(aws\.|amazon\.)/i.test(name)) return "an attribute name must not start with AWS. or Amazon.";
  return undefined;
}

/** The queue a delivery goes to: the recipient when not empty (upstream: it takes precedence), else `queue`. */
export function sqsQueueFor(service: AwsSqsServiceConfig, recipient: string): string {
  const r = recipient.replace(/^ +| +$/g, "");
  return r !== "" ? r : (service.queue ?? "");
}

/** Why a delivery to `recipient` through this service cannot be sent, or undefined. */
export function sqsQueueProblem(service: AwsSqsServiceConfig, recipient: string): string | undefined {
  const queue = sqsQueueFor(service, recipient);
  if (queue === "") return "no queue: the subscription names none and the service has no `queue`";
  if (!SQS_QUEUE_NAME.test(queue))
    return `${JSON.stringify(queue)} is not a queue name (1-80 letters, digits, - and _, optionally ending in .fifo)`;
  return undefined;
}

export interface SqsMessageAttribute {
  DataType: "String";
  StringValue: string;
}

/** SendMessage's input without QueueUrl (resolved by GetQueueUrl at send time). */
export interface SqsSendMessage {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, SqsMessageAttribute>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface SqsSend {
  getQueueUrl: { QueueName: string; QueueOwnerAWSAccountId?: string };
  sendMessage: SqsSendMessage;
}

/** Characters SQS does not take replaced by U+FFFD (what SQS itself stores for them, where it takes the message). */
export const sqsText = (text: string) => text.replace(NOT_ALLOWED, "\uFFFD");

/** The deduplication id of a job: its sha256, hex (a job id may be longer than 128 characters). */
export const sqsDeduplicationId = (jobId: string) => createHash("sha256").update(jobId).digest("hex");

export function buildSqsSend(
  jobId: string,
  recipient: string,
  service: AwsSqsServiceConfig,
  notification: Notification,
  where: string,
): SqsSend {
  const problem = sqsQueueProblem(service, recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const queue = sqsQueueFor(service, recipient);
  const fifo = isFifoQueue(queue);
  const part = notification.awssqs ?? { body: notification.message };
  const body = sqsText(part.body);
  if (body.trim() === "")
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const send: SqsSendMessage = { MessageBody: body };
  if (!fifo) send.DelaySeconds = service.delaySeconds ?? UPSTREAM_DELAY_SECONDS;
  const attributes = Object.entries(part.messageAttributes ?? {}).filter(([, v]) => v !== "");
  if (attributes.length > SQS_MAX_ATTRIBUTES)
    throw new DeliveryError(`${where}: ${attributes.length} message attributes, SQS takes at most 10`, {
      transient: false,
      code: "invalid_message",
    });
  let bytes = Buffer.byteLength(body);
  if (attributes.length) {
    send.MessageAttributes = {};
    for (const [name, value] of attributes) {
      const why = sqsAttributeNameProblem(name);
      if (why)
        throw new DeliveryError(`${where}: message attribute ${JSON.stringify(name)}: ${why}`, {
          transient: false,
          code: "invalid_message",
        });
      const text = sqsText(value);
      send.MessageAttributes[name] = { DataType: "String", StringValue: text };
      bytes += Buffer.byteLength(name) + "String".length + Buffer.byteLength(text);
    }
  }
  if (bytes > SQS_MAX_MESSAGE_BYTES)
    throw new DeliveryError(`${where}: message is ${bytes} bytes, over SQS's ${SQS_MAX_MESSAGE_BYTES}`, {
      transient: false,
      code: "message_too_large",
    });
  const group = part.messageGroupId ?? (fifo ? part.defaultMessageGroupId : undefined);
  if (group !== undefined) send.MessageGroupId = fifoId(group, "messageGroupId", where);
  if (fifo) {
    if (send.MessageGroupId === undefined)
      throw new DeliveryError(`${where}: a FIFO queue needs a messageGroupId`, {
        transient: false,
        code: "invalid_message",
      });
    send.MessageDeduplicationId = part.messageDeduplicationId
      ? fifoId(part.messageDeduplicationId, "messageDeduplicationId", where)
      : sqsDeduplicationId(jobId);
  }
  const getQueueUrl: SqsSend["getQueueUrl"] = { QueueName: queue };
  if (service.account) getQueueUrl.QueueOwnerAWSAccountId = service.account;
  return { getQueueUrl, sendMessage: send };
}

function fifoId(value: string, field: string, where: string): string {
  const v = value.trim();
  if (!FIFO_ID.test(v))
    throw new DeliveryError(
      `${where}: ${field} ${JSON.stringify(v.slice(0, 40))} must be 1-128 letters, digits and punctuation`,
      { transient: false, code: "invalid_message" },
    );
  return v;
}
