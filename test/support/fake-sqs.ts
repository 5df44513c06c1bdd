// A stand-in Amazon SQS API on a real HTTP server, speaking the AWS JSON 1.0 protocol the current SDK uses: POST /
// with `X-Amz-Target: AmazonSQS.<Action>` and content-type application/x-amz-json-1.0; errors are
// {"__type": "com.amazonaws.sqs#<Shape>", "message"} with the query-compatible code in x-amzn-query-error.
// Every request's SigV4 signature is recomputed with the known secret (an unknown key: UnrecognizedClientException
// / InvalidClientTokenId; a wrong secret: InvalidSignatureException / SignatureDoesNotMatch; a session token must be
// the one issued, and signed; more than 15 minutes off: SignatureDoesNotMatch "Signature expired").
// GetQueueUrl: QueueName (+ QueueOwnerAWSAccountId) → QueueUrl, else QueueDoesNotExist. SendMessage validates as the
// API reference documents: a body of 1+ allowed characters (else InvalidMessageContents), body + attributes within
// the queue's MaximumMessageSize (262,144 by default), DelaySeconds 0-900 and not per message on a FIFO queue,
// FIFO: MessageGroupId required, MessageDeduplicationId required without content-based deduplication (and not
// taken by a standard queue), ids of 1-128 letters/digits/punctuation, a repeated deduplication id within 5 minutes
// accepted but not stored again; at most 10 attributes, names as documented, DataType String/Number/Binary (with an
// optional .custom suffix) and a non-empty value of that type. It answers MD5OfMessageBody (the SDK checks it),
// MD5OfMessageAttributes and, for FIFO, a SequenceNumber; accepted messages are recorded.
// It can be told to fail the next request (a status — 429: ThrottlingException, 5xx: InternalFailure/
// ServiceUnavailable, 4xx: InvalidParameterValue, optionally echoing the caller's key and secret — or a late answer,
// not processed), or the next request of one action and/or queue (`action`, `queue`); with `processed` the request
// is carried out first and its answer replaced by the failure (SQS took the message, the caller never heard).
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeSqsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The caller's account (default the stand-in's). */
  account?: string;
}

export interface FakeSqsQueue {
  name: string;
  account?: string;
  contentBasedDeduplication?: boolean;
  maximumMessageSize?: number;
}

export interface FakeSqsMessage {
  queue: string;
  account: string;
  /** SendMessage's input as sent, without QueueUrl. */
  input: Record<string, unknown>;
  body: string;
  messageId: string;
}

export type FakeSqsFailure = QueuedFailure<{
  echo?: boolean;
  code?: string;
  /** Only a request of this action (default: the next request, whatever it is). */
  action?: "GetQueueUrl" | "SendMessage";
  /** Only a request for this queue (GetQueueUrl's QueueName, SendMessage's QueueUrl). */
  queue?: string;
  /** Carry the request out, then answer the failure instead of its result (the answer is lost). */
  processed?: boolean;
}>;

const ALLOWED = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const DEDUP_WINDOW_MS = 5 * 60_000;

class SqsError extends Error {
  readonly status: number;
  readonly type: string;
  readonly queryCode: string;
  constructor(status: number, type: string, queryCode: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.queryCode = queryCode;
  }
}
const invalid = (message: string) =>
  new SqsError(400, "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue", message);

export class FakeSqs extends StandInApi<FakeSqsFailure> {
  readonly region: string;
  readonly account: string;
  readonly messages: FakeSqsMessage[] = [];
  /** Every request's raw body, accepted or not. */
  readonly received: string[] = [];
  /** Every request's X-Amz-Target. */
  readonly actions: string[] = [];
  readonly #credentials: FakeSqsCredentials[];
  readonly #queues: FakeSqsQueue[];
  readonly #dedup = new Map<string, number>();
  #sequence = 10_000_000_000_000_000n;

  private constructor(
    server: FakeHttpServer,
    opts: { region: string; account: string; credentials: FakeSqsCredentials[]; queues: FakeSqsQueue[] },
  ) {
    super(server);
    this.region = opts.region;
    this.account = opts.account;
    this.#credentials = opts.credentials;
    this.#queues = opts.queues;
  }

  static start(opts: {
    credentials: FakeSqsCredentials[];
    queues: FakeSqsQueue[];
    region?: string;
    account?: string;
  }): Promise<FakeSqs> {
    return StandInApi.serve(
      (server) =>
        new FakeSqs(server, {
          region: opts.region ?? "us-east-1",
          account: opts.account ?? "000000000000",
          credentials: opts.credentials,
          queues: opts.queues,
        }),
    );
  }

  get endpointUrl(): string {
    return this.server.url;
  }

  reset(): void {
    this.messages.length = 0;
    this.received.length = 0;
    this.actions.length = 0;
    this.failures.length = 0;
    this.#dedup.clear();
  }

  protected override async handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const text = raw.toString("utf8");
    this.received.push(text);
    const target = String(req.headers["x-amz-target"] ?? "");
    this.actions.push(target);
    const requestId = randomUUID();
    let reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": requestId,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const error = (e: SqsError, headers: Record<string, string> = {}) =>
      reply(
        e.status,
        { __type: e.type, message: e.message },
        { "x-amzn-query-error": `${e.queryCode};Sender`, ...headers },
      );
    const failure = this.#takeFailure(target, text);
    if (failure && !("status" in failure && failure.processed)) {
      await answerQueuedFailure([failure], {
        late: () => error(new SqsError(500, "com.amazonaws.sqs#InternalError", "InternalError", "late")),
        failed: (f, headers) => error(this.#failure(f, req), headers),
      });
      return;
    }
    if (failure && "status" in failure) {
      // carried out below, then answered with the failure: the caller never sees the result
      const result = reply;
      reply = (status, body, headers) => {
        if (status !== 200) return result(status, body, headers);
        error(
          this.#failure(failure, req),
          failure.retryAfterSec !== undefined ? { "retry-after": String(failure.retryAfterSec) } : {},
        );
      };
    }
    try {
      if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/")
        throw new SqsError(404, "UnknownOperationException", "InvalidAction", "not found");
      if (String(req.headers["content-type"] ?? "") !== "application/x-amz-json-1.0")
        throw new SqsError(
          400,
          "com.amazonaws.sqs#InvalidAction",
          "InvalidAction",
          "expected application/x-amz-json-1.0",
        );
      const caller = this.#authenticate(req, raw);
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new SqsError(
          400,
          "com.amazonaws.sqs#InvalidParameterValue",
          "MalformedInput",
          "the body is not JSON",
        );
      }
      if (target === "AmazonSQS.GetQueueUrl") return reply(200, this.#getQueueUrl(input, caller));
      if (target === "AmazonSQS.SendMessage") return reply(200, this.#sendMessage(input));
      throw new SqsError(
        400,
        "com.amazonaws.sqs#UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        `${target} is not supported here`,
      );
    } catch (err) {
      if (err instanceof SqsError) return error(err);
      throw err;
    }
  }

  /** The first queued failure that applies to this request (its action and queue), taken off the queue. */
  #takeFailure(target: string, text: string): FakeSqsFailure | undefined {
    let queue: string | undefined;
    try {
      const input = JSON.parse(text) as { QueueName?: unknown; QueueUrl?: unknown };
      if (typeof input.QueueName === "string") queue = input.QueueName;
      else if (typeof input.QueueUrl === "string") queue = input.QueueUrl.split("/").at(-1);
    } catch {
      // not JSON: only a failure for any request applies
    }
    const i = this.failures.findIndex(
      (f) =>
        !("status" in f) ||
        ((f.action === undefined || target === `AmazonSQS.${f.action}`) &&
          (f.queue === undefined || f.queue === queue)),
    );
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }

  #failure(f: { status: number; echo?: boolean; code?: string }, req: IncomingMessage): SqsError {
    const echoed = f.echo ? this.#echo(req) : "";
    if (f.status === 429 || f.code === "ThrottlingException")
      return new SqsError(
        f.status,
        "com.amazon.coral.availability#ThrottlingException",
        "ThrottlingException",
        `Rate exceeded${echoed}`,
      );
    if (f.code === "RequestThrottled")
      return new SqsError(
        f.status,
        "com.amazonaws.sqs#RequestThrottled",
        "RequestThrottled",
        `Request is throttled${echoed}`,
      );
    if (f.status >= 500)
      return f.status === 503
        ? new SqsError(
            503,
            "com.amazonaws.sqs#ServiceUnavailable",
            "ServiceUnavailable",
            `Service unavailable${echoed}`,
          )
        : new SqsError(
            f.status,
            "com.amazonaws.sqs#InternalError",
            "InternalError",
            `We encountered an internal error${echoed}`,
          );
    return new SqsError(
      f.status,
      "com.amazonaws.sqs#InvalidParameterValue",
      "InvalidParameterValue",
      `The request is invalid${echoed}`,
    );
  }

  /** What a careless remote might echo: the caller's key, and the secret the stand-in knows for it. */
  #echo(req: IncomingMessage): string {
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    const c = this.#credentials.find((x) => x.accessKeyId === key);
    return ` (access key ${key}, secret ${c?.secretAccessKey ?? "?"})`;
  }

  /** SigV4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), recomputed. */
  #authenticate(req: IncomingMessage, body: Buffer): FakeSqsCredentials {
    const auth = String(req.headers.authorization ?? "");
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m)
      throw new SqsError(
        400,
        "com.amazonaws.sqs#MissingAuthenticationToken",
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
      );
    const [, key, day, region, service, signedHeaders, signature] = m as unknown as string[];
    const cred = this.#credentials.find((c) => c.accessKeyId === key);
    if (!cred)
      throw new SqsError(
        400,
        "com.amazon.coral.service#UnrecognizedClientException",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
    if (region !== this.region || service !== "sqs")
      throw new SqsError(
        400,
        "com.amazon.coral.service#InvalidSignatureException",
        "SignatureDoesNotMatch",
        `Credential should be scoped to a valid region (${this.region}) and service sqs.`,
      );
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const at = Date.parse(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
    );
    if (Number.isNaN(at) || !amzDate.startsWith(day as string))
      throw new SqsError(
        400,
        "com.amazon.coral.service#IncompleteSignatureException",
        "IncompleteSignature",
        "X-Amz-Date is missing or does not match the credential scope",
      );
    if (Math.abs(Date.now() - at) > 15 * 60_000)
      throw new SqsError(
        400,
        "com.amazon.coral.service#InvalidSignatureException",
        "SignatureDoesNotMatch",
        "Signature expired",
      );
    const names = (signedHeaders as string).split(";");
    if (!names.includes("host") || !names.includes("x-amz-date"))
      throw new SqsError(
        400,
        "com.amazon.coral.service#IncompleteSignatureException",
        "IncompleteSignature",
        "host and x-amz-date must be signed",
      );
    const token = req.headers["x-amz-security-token"];
    if (
      cred.sessionToken !== undefined &&
      (token !== cred.sessionToken || !names.includes("x-amz-security-token"))
    )
      throw new SqsError(
        400,
        "com.amazon.coral.service#UnrecognizedClientException",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
    const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");
    const payloadHash = sha(body);
    const declared = req.headers["x-amz-content-sha256"];
    if (declared !== undefined && declared !== payloadHash)
      throw new SqsError(
        400,
        "com.amazon.coral.service#InvalidSignatureException",
        "SignatureDoesNotMatch",
        "The provided x-amz-content-sha256 header does not match the body",
      );
    const url = new URL(req.url ?? "/", "http://x");
    const canonicalQuery = [...url.searchParams.entries()]
      .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
      .sort(([a, x], [b, y]) =>
        a === b ? (x as string).localeCompare(y as string) : (a as string) < (b as string) ? -1 : 1,
      )
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
    const canonicalHeaders = names
      .map((n) => {
        const v = req.headers[n];
        const value = Array.isArray(v) ? v.join(",") : (v ?? "");
        return `${n}:${value.trim().replace(/\s+/g, " ")}\n`;
      })
      .join("");
    const canonicalRequest = [
      req.method,
      url.pathname
        .split("/")
        .map((s) => encodeRfc3986(decodeURIComponent(s)))
        .join("/"),
      canonicalQuery,
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].join("\n");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha(canonicalRequest)].join("\n");
    const hmac = (k: string | Buffer, d: string) => createHmac("sha256", k).update(d).digest();
    const signingKey = hmac(
      hmac(hmac(hmac(`AWS4${cred.secretAccessKey}`, day as string), region as string), service as string),
      "aws4_request",
    );
    const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature as string, "hex")))
      throw new SqsError(
        400,
        "com.amazon.coral.service#InvalidSignatureException",
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
    return cred;
  }

  #queue(name: string, account: string): FakeSqsQueue {
    const q = this.#queues.find((x) => x.name === name && (x.account ?? this.account) === account);
    if (!q)
      throw new SqsError(
        400,
        "com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    return q;
  }

  #getQueueUrl(input: Record<string, unknown>, caller: FakeSqsCredentials): { QueueUrl: string } {
    const name = input.QueueName;
    if (typeof name !== "string" || name === "")
      throw new SqsError(
        400,
        "com.amazonaws.sqs#MissingParameter",
        "MissingParameter",
        "The request must contain the parameter QueueName.",
      );
    const owner = input.QueueOwnerAWSAccountId;
    const account = typeof owner === "string" && owner !== "" ? owner : (caller.account ?? this.account);
    const q = this.#queue(name, account);
    return { QueueUrl: `${this.server.url}/${account}/${q.name}` };
  }

  #sendMessage(input: Record<string, unknown>): Record<string, unknown> {
    const url = typeof input.QueueUrl === "string" ? input.QueueUrl : "";
    const m = /^https?:\/\/[^/]+\/(\d+)\/([^/?]+)$/.exec(url);
    if (!m)
      throw new SqsError(
        400,
        "com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    const account = m[1] as string;
    const q = this.#queue(m[2] as string, account);
    const fifo = q.name.endsWith(".fifo");
    const body = input.MessageBody;
    if (typeof body !== "string" || body === "")
      throw new SqsError(
        400,
        "com.amazonaws.sqs#MissingParameter",
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
      );
    if (!ALLOWED.test(body))
      throw new SqsError(
        400,
        "com.amazonaws.sqs#InvalidMessageContents",
        "InvalidMessageContents",
        "Invalid characters found.",
      );
    let size = Buffer.byteLength(body);
    const attributes = (input.MessageAttributes ?? {}) as Record<string, Record<string, unknown>>;
    const names = Object.keys(attributes);
    if (names.length > 10)
      throw invalid(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
    for (const name of names) {
      if (
        !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
        /^\.|\.$|\.\./.test(name) ||
        /^(aws\.|amazon\.)/i.test(name)
      )
        throw invalid(`Message (user) attribute name '${name}' is invalid.`);
      const a = attributes[name] ?? {};
      const type = String(a.DataType ?? "");
      const base = type.split(".")[0];
      if (!["String", "Number", "Binary"].includes(base ?? ""))
        throw invalid(
          `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
        );
      const value = base === "Binary" ? a.BinaryValue : a.StringValue;
      if (typeof value !== "string" || value === "" || (base !== "Binary" && !ALLOWED.test(value)))
        throw invalid(`Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
      if (base === "Number" && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value))
        throw invalid(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      size +=
        Buffer.byteLength(name) +
        Buffer.byteLength(type) +
        (base === "Binary" ? Buffer.from(value, "base64").length : Buffer.byteLength(value));
    }
    const max = q.maximumMessageSize ?? 262_144;
    if (size > max)
      throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    const delay = input.DelaySeconds;
    if (delay !== undefined) {
      if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0 || delay > 900)
        throw invalid(
          `Value ${String(delay)} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
        );
      if (fifo && delay > 0)
        throw invalid(
          `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
    }
    const group = input.MessageGroupId;
    const dedup = input.MessageDeduplicationId;
    for (const [field, v] of [
      ["MessageGroupId", group],
      ["MessageDeduplicationId", dedup],
    ] as const)
      if (v !== undefined && (typeof v !== "string" || !FIFO_ID.test(v)))
        throw invalid(
          `Value ${String(v)} for parameter ${field} is invalid. Reason: must be 1-128 alphanumeric or punctuation characters.`,
        );
    let duplicate = false;
    if (fifo) {
      if (group === undefined)
        throw new SqsError(
          400,
          "com.amazonaws.sqs#MissingParameter",
          "MissingParameter",
          "The request must contain the parameter MessageGroupId.",
        );
      if (dedup === undefined && !q.contentBasedDeduplication)
        throw invalid(
          "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
      const dedupKey = `${account}/${q.name}/${typeof dedup === "string" ? dedup : createHash("sha256").update(body).digest("hex")}`;
      const seen = this.#dedup.get(dedupKey);
      duplicate = seen !== undefined && Date.now() - seen < DEDUP_WINDOW_MS;
      if (!duplicate) this.#dedup.set(dedupKey, Date.now());
    } else if (dedup !== undefined) {
      throw invalid(
        `Value ${String(dedup)} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    const messageId = randomUUID();
    const { QueueUrl: _url, ...rest } = input;
    if (!duplicate) this.messages.push({ queue: q.name, account, input: rest, body, messageId });
    const out: Record<string, unknown> = {
      MessageId: messageId,
      MD5OfMessageBody: createHash("md5").update(body).digest("hex"),
    };
    if (names.length) out.MD5OfMessageAttributes = attributesMd5(attributes);
    if (fifo) out.SequenceNumber = String(this.#sequence++);
    return out;
  }
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** MD5OfMessageAttributes as SQS computes it (sorted names; length-prefixed name, type, transport byte, value). */
function attributesMd5(attributes: Record<string, Record<string, unknown>>): string {
  const md5 = createHash("md5");
  const lp = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    md5.update(len);
    md5.update(b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name] ?? {};
    const type = String(a.DataType);
    lp(Buffer.from(name));
    lp(Buffer.from(type));
    if (type.startsWith("Binary")) {
      md5.update(Buffer.from([2]));
      lp(Buffer.from(String(a.BinaryValue), "base64"));
    } else {
      md5.update(Buffer.from([1]));
      lp(Buffer.from(String(a.StringValue)));
    }
  }
  return md5.digest("hex");
}
