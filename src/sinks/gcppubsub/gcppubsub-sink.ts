// Pub/Sub sink: publish the message to the topic (the recipient, or the service's topic) through the REST API with
// an OAuth2 access token (gcppubsub-auth.ts). Success is 200 with {"messageIds":[…]} (the receipt's ref).
// Failures: 429 (RESOURCE_EXHAUSTED), 5xx, network errors and timeouts are transient (Retry-After honoured); 401
// drops the cached token and is transient (the retry gets a new one; a key that no longer works then fails at the
// token endpoint); other 4xx — INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND (no such topic or project) — and
// a token endpoint refusing the key (invalid_grant) are permanent, as is a missing or invalid key.
// A namespace's own service must bring its key (keyJSON, from its own Secret): a key file in the notifier's pod and
// the notifier's own identity (Application Default Credentials) are the central services' alone. Its requests, the
// token request included, go through the SSRF guard.
// Pub/Sub has no idempotency key: a timeout after Pub/Sub took the message can publish it twice (as upstream).
import { readFile } from "node:fs/promises";
import { redactSecrets } from "../common/redacted.ts";
import {
  deliveryErrorForAnswer,
  deliveryErrorForNetwork,
  isTimeoutError,
  snippet,
} from "../delivery-errors.ts";
import { type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import {
  type AccessToken,
  AccessTokens,
  type AdcTokenSource,
  loadAdcTokenSource,
  serviceAccountJwt,
} from "./gcppubsub-auth.ts";
import {
  buildPubsubPublish,
  keySecrets,
  parseServiceAccountKey,
  type ServiceAccountKey,
} from "./gcppubsub-request.ts";
import type { GcpPubsubServiceConfig } from "./gcppubsub-types.ts";
import { gcppubsubWhere } from "./gcppubsub-wire.ts";

export const GCPPUBSUB_TIMEOUT_MS = 15_000;

export interface GcpPubsubSinkOptions extends HttpSinkOptions {
  /** Application Default Credentials (tests); default: google-auth-library's, loaded on first use. */
  adc?: () => Promise<AdcTokenSource>;
}

type Credentials = { kind: "key"; key: ServiceAccountKey; secrets: string[] } | { kind: "adc" };

export class GcpPubsubSink implements Sink<GcpPubsubServiceConfig> {
  readonly type = "gcppubsub" as const;
  readonly #opts: GcpPubsubSinkOptions;
  readonly #tokens: AccessTokens;
  #adc: Promise<AdcTokenSource> | undefined;

  constructor(opts: GcpPubsubSinkOptions) {
    this.#opts = opts;
    this.#tokens = new AccessTokens(opts.now);
  }

  async deliver(delivery: Delivery<GcpPubsubServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = gcppubsubWhere(service, recipient);
    const publish = buildPubsubPublish(service, recipient, delivery.notification, where);
    const timeoutMs = this.#opts.timeoutMs ?? GCPPUBSUB_TIMEOUT_MS;
    const credentials = await this.#credentials(delivery, where);
    const cacheKey = credentials.kind === "key" ? AccessTokens.keyOf(credentials.key) : "adc";
    const token = await this.#tokens.get(cacheKey, () =>
      credentials.kind === "key"
        ? this.#exchangeKey(delivery, where, credentials, timeoutMs)
        : this.#adcToken(where, timeoutMs),
    );
    const scrub = (text: string) =>
      redactSecrets(text, [token, ...(credentials.kind === "key" ? credentials.secrets : [])]);
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url: publish.url,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(publish.body),
        timeoutMs,
      },
      this.#opts,
    );
    let answer: { messageIds?: unknown; error?: { status?: unknown; message?: unknown } } = {};
    try {
      answer = JSON.parse(res.text) as typeof answer;
    } catch {
      // not JSON: classified by the HTTP status
    }
    if (res.statusCode === 200 && Array.isArray(answer.messageIds) && answer.messageIds.length === 1) {
      const id = String(answer.messageIds[0]);
      this.#opts.logger.debug(
        { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, topic: publish.topic, id },
        "pubsub message published",
      );
      return { ref: id };
    }
    const detail = scrub(googleErrorDetail(answer.error) ?? snippet(res.text));
    if (res.statusCode === 401) {
      this.#tokens.invalidate(cacheKey, token);
      throw new DeliveryError(
        `${where} answered HTTP 401: ${detail} (the access token is dropped; retried)`,
        {
          transient: true,
          code: "http_401",
        },
      );
    }
    throw deliveryErrorForAnswer(where, res, detail, res.statusCode === 200 ? 502 : res.statusCode);
  }

  async #credentials(delivery: Delivery<GcpPubsubServiceConfig>, where: string): Promise<Credentials> {
    const service = delivery.service;
    const tenant = delivery.tenantNamespace !== undefined || service.tenantNamespace !== undefined;
    let text: string;
    let source: string;
    if (service.keyJSON !== undefined) {
      text = service.keyJSON;
      source = "keyJSON";
    } else if (service.keyFile !== undefined) {
      if (tenant)
        throw new DeliveryError(
          `${where}: keyFile is refused for a namespace's service (it would read the notifier's files); give the key as keyJSON from the namespace's Secret`,
          { transient: false, code: "invalid_config" },
        );
      try {
        text = await readFile(service.keyFile, "utf8");
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new DeliveryError(
          `${where}: keyFile ${JSON.stringify(service.keyFile)} cannot be read (${typeof code === "string" ? code : "error"})`,
          { transient: false, code: "invalid_config" },
        );
      }
      source = `keyFile ${JSON.stringify(service.keyFile)}`;
    } else {
      if (tenant)
        throw new DeliveryError(
          `${where}: a namespace's service must give its own key (keyJSON): the notifier's Application Default Credentials are for central services only`,
          { transient: false, code: "invalid_config" },
        );
      return { kind: "adc" };
    }
    const key = parseServiceAccountKey(text);
    if ("problem" in key)
      throw new DeliveryError(`${where}: ${source} ${key.problem}`, {
        transient: false,
        code: "invalid_credentials",
      });
    return { kind: "key", key, secrets: keySecrets(text) };
  }

  async #exchangeKey(
    delivery: Delivery<GcpPubsubServiceConfig>,
    where: string,
    credentials: { key: ServiceAccountKey; secrets: string[] },
    timeoutMs: number,
  ): Promise<AccessToken> {
    const now = this.#opts.now ?? Date.now;
    const assertion = serviceAccountJwt(credentials.key, Date.now());
    const what = `${where}: token endpoint`;
    const res = await sendHttpRequest(
      delivery,
      what,
      {
        url: credentials.key.tokenUri,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion,
        }).toString(),
        timeoutMs,
      },
      this.#opts,
    );
    let answer: {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    } = {};
    try {
      answer = JSON.parse(res.text) as typeof answer;
    } catch {
      // not JSON: classified by the HTTP status
    }
    if (res.statusCode === 200 && typeof answer.access_token === "string" && answer.access_token !== "") {
      const seconds = typeof answer.expires_in === "number" ? answer.expires_in : 3600;
      return { token: answer.access_token, expiresAtMs: now() + seconds * 1000 };
    }
    const scrub = (t: string) =>
      redactSecrets(t, [
        assertion,
        ...credentials.secrets,
        ...(typeof answer.access_token === "string" ? [answer.access_token] : []),
      ]);
    const detail =
      typeof answer.error === "string"
        ? `${answer.error}${typeof answer.error_description === "string" ? `: ${answer.error_description}` : ""}`
        : res.text;
    throw deliveryErrorForAnswer(
      what,
      res,
      snippet(scrub(detail)),
      res.statusCode === 200 ? 502 : res.statusCode,
    );
  }

  async #adcToken(where: string, timeoutMs: number): Promise<AccessToken> {
    this.#adc ??= (this.#opts.adc ?? loadAdcTokenSource)();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("timed out"), { name: "TimeoutError" })),
        timeoutMs,
      );
    });
    try {
      const source = await Promise.race([this.#adc, deadline]);
      const token = await Promise.race([source.getAccessToken(), deadline]);
      // google-auth-library refreshes its own tokens: this cache only spares the call for a few minutes
      return { token, expiresAtMs: (this.#opts.now ?? Date.now)() + 5 * 60_000 };
    } catch (err) {
      this.#adc = undefined;
      throw adcError(where, err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** "STATUS: message" of a Google API error answer ({"error":{"code","message","status"}}). */
function googleErrorDetail(error: { status?: unknown; message?: unknown } | undefined): string | undefined {
  if (!error || typeof error !== "object") return undefined;
  const status = typeof error.status === "string" ? error.status : undefined;
  const message = typeof error.message === "string" ? snippet(error.message) : undefined;
  if (!status && !message) return undefined;
  return [status, message].filter(Boolean).join(": ");
}

/** Application Default Credentials failing: network trouble and 5xx of the metadata server are transient. */
function adcError(where: string, err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const status = (err as { status?: unknown; response?: { status?: unknown } })?.response?.status;
  const what = `${where}: Application Default Credentials`;
  if (isTimeoutError(err)) return deliveryErrorForNetwork(what, err);
  const code = (err as { code?: unknown })?.code;
  if (
    (typeof status === "number" && (status >= 500 || status === 429)) ||
    (typeof code === "string" && /^E[A-Z]+$/.test(code))
  )
    return new DeliveryError(`${what}: ${snippet(err instanceof Error ? err.message : String(err))}`, {
      transient: true,
      code: "credentials_unavailable",
      cause: err,
    });
  return new DeliveryError(`${what}: ${snippet(err instanceof Error ? err.message : String(err))}`, {
    transient: false,
    code: "invalid_credentials",
  });
}
