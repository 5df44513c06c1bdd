// AWS SQS sink: as upstream, GetQueueUrl (the queue's name, the owner `account`) then SendMessage to that URL, with
// static credentials when key and secret are set, else the default AWS credential chain (environment, IRSA/web
// identity, EKS Pod Identity, ECS, instance profile) — the chain only for central services: a namespace's own
// service must give key and secret (it may not send as this service's IAM role). Requests are signed by the AWS
// SDK (@aws-sdk/client-sqs, loaded by the first delivery: most installations never configure SQS) and sent through
// the shared undici agents (awssqs-http-handler.ts: SSRF guard for namespace services, the timeout). The SDK does
// not retry (maxAttempts 1): the queue does.
// Failures: throttling (ThrottlingException, RequestThrottled, KmsThrottled), HTTP 429/5xx, an expired request
// (clock skew, corrected by the SDK for the next attempt), network errors and timeouts are transient; bad
// credentials, an unknown queue, access denied and an invalid message are permanent.
import { createHash } from "node:crypto";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../../logger.ts";
import {
  blockedAddressDeliveryError,
  deliveryErrorForNetwork,
  isTransientStatus,
  parseRetryAfter,
} from "../delivery-errors.ts";
import type { HttpDispatchers } from "../http/http-dispatchers.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { UndiciSdkHandler } from "./awssqs-http-handler.ts";
import { buildSqsSend } from "./awssqs-request.ts";
import type { AwsSqsServiceConfig } from "./awssqs-types.ts";
import { awsSqsWhere, hasStaticCredentials, sqsEndpoint, sqsRegion } from "./awssqs-wire.ts";

export const AWSSQS_TIMEOUT_MS = 15_000;
/** Clients kept (one per region, endpoint, credentials and transport): each memoizes its credentials. */
const MAX_CLIENTS = 32;

export interface AwsSqsSinkOptions {
  dispatchers: HttpDispatchers;
  logger: Logger;
  timeoutMs?: number;
  allowPrivateNetworks?: boolean;
}

/** Error codes (the SDK's name or the query-compatible Code) worth retrying. */
const TRANSIENT_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "KmsThrottled",
  "ServiceUnavailable",
  "InternalError",
  "InternalFailure",
  "RequestExpired",
  "RequestTimeTooSkewed",
]);

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
}

export class AwsSqsSink implements Sink<AwsSqsServiceConfig> {
  readonly type = "awssqs" as const;
  readonly #opts: AwsSqsSinkOptions;
  readonly #clients = new Map<string, SQSClient>();

  constructor(opts: AwsSqsSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<AwsSqsServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = awsSqsWhere(service, recipient);
    const send = buildSqsSend(delivery.jobId, recipient, service, delivery.notification, where);
    const tenant = delivery.tenantNamespace !== undefined || service.tenantNamespace !== undefined;
    if (tenant && !hasStaticCredentials(service))
      throw new DeliveryError(
        `${where}: a namespace's own awssqs service must set key and secret (the default AWS credential chain is the notifier's own identity)`,
        { transient: false, code: "invalid_config" },
      );
    const region = sqsRegion(service, where);
    const guard = delivery.tenantNamespace !== undefined && !this.#opts.allowPrivateNetworks;
    const sdk = await loadSqs();
    const client = this.#client(sdk, service, region, guard);
    let messageId: string | undefined;
    try {
      const { QueueUrl } = await client.send(new sdk.GetQueueUrlCommand(send.getQueueUrl));
      if (!QueueUrl)
        throw new DeliveryError(`${where}: GetQueueUrl answered no QueueUrl`, {
          transient: true,
          code: "invalid_answer",
        });
      const sent = await client.send(new sdk.SendMessageCommand({ QueueUrl, ...send.sendMessage }));
      messageId = sent.MessageId;
    } catch (err) {
      throw sqsDeliveryError(where, delivery.tenantNamespace, err);
    }
    this.#opts.logger.debug(
      { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient, messageId },
      "awssqs message sent",
    );
    return messageId ? { ref: messageId } : {};
  }

  close(): Promise<void> {
    for (const c of this.#clients.values()) c.destroy();
    this.#clients.clear();
    return Promise.resolve();
  }

  #client(sdk: SqsSdk, service: AwsSqsServiceConfig, region: string, guard: boolean): SQSClient {
    const fingerprint = createHash("sha256")
      .update(
        JSON.stringify([
          region,
          service.endpointUrl ?? "",
          service.key ?? "",
          service.secret ?? "",
          service.sessionToken ?? "",
          hasStaticCredentials(service),
          guard,
        ]),
      )
      .digest("hex");
    const cached = this.#clients.get(fingerprint);
    if (cached) {
      // most recently used last
      this.#clients.delete(fingerprint);
      this.#clients.set(fingerprint, cached);
      return cached;
    }
    const timeoutMs = this.#opts.timeoutMs ?? AWSSQS_TIMEOUT_MS;
    const config: ConstructorParameters<SqsSdk["SQSClient"]>[0] = {
      region,
      maxAttempts: 1,
      requestHandler: new UndiciSdkHandler(
        this.#opts.dispatchers.get({ blockPrivateAddresses: guard }),
        timeoutMs,
      ) as never,
    };
    if (service.endpointUrl) config.endpoint = sqsEndpoint(service, region);
    if (hasStaticCredentials(service)) {
      const credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
        accessKeyId: service.key as string,
        secretAccessKey: service.secret as string,
      };
      if (service.sessionToken) credentials.sessionToken = service.sessionToken;
      config.credentials = credentials;
    }
    const client = new sdk.SQSClient(config);
    this.#clients.set(fingerprint, client);
    while (this.#clients.size > MAX_CLIENTS) {
      const [oldest, old] = this.#clients.entries().next().value as [string, SQSClient];
      this.#clients.delete(oldest);
      old.destroy();
    }
    return client;
  }
}

type SqsSdk = typeof import("@aws-sdk/client-sqs");
let sqsSdk: Promise<SqsSdk> | undefined;

function loadSqs(): Promise<SqsSdk> {
  sqsSdk ??= import("@aws-sdk/client-sqs");
  return sqsSdk;
}

/** The DeliveryError for what the SDK threw: an API error by its code and status, else the network's. */
export function sqsDeliveryError(
  where: string,
  tenantNamespace: string | undefined,
  err: unknown,
): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const blocked = blockedAddressDeliveryError(where, tenantNamespace, err);
  if (blocked) return blocked;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number" && status > 0) {
    // the error's shape (QueueDoesNotExist) and its query-compatible code (AWS.SimpleQueueService.NonExistentQueue)
    const name = (e.name ?? e.Code ?? "error").replace(/^.*#/, "");
    const queryCode = e.Code && e.Code !== name ? e.Code : undefined;
    const code = queryCode ? `${name} (${queryCode})` : name;
    // SQS's JSON protocol answers throttling with HTTP 400: the code says it
    const transient =
      TRANSIENT_CODES.has(name) ||
      (queryCode !== undefined && TRANSIENT_CODES.has(queryCode)) ||
      isTransientStatus(status);
    const retryAfterMs = transient ? parseRetryAfter(e.$response?.headers?.["retry-after"]) : undefined;
    return new DeliveryError(`${where}: SQS answered HTTP ${status} ${code}: ${e.message ?? ""}`, {
      transient,
      code: transient ? `http_${status === 400 ? 429 : status}` : `sqs_${name}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      cause: err,
    });
  }
  if (e.message === "InvalidChecksumError")
    return new DeliveryError(`${where}: SQS answered a body MD5 that does not match the message`, {
      transient: true,
      code: "invalid_answer",
      cause: err,
    });
  if ((err as { code?: unknown })?.code === "answer_too_large")
    return new DeliveryError(`${where}: ${e.message}`, { transient: false, code: "answer_too_large" });
  return deliveryErrorForNetwork(where, err);
}
