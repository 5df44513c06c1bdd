// Stand-ins for Google Cloud Pub/Sub and the OAuth 2.0 token endpoint it trusts, on real HTTP servers.
//
// The token server (`tokenURL`): POST a form with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and an
// `assertion`, a JWT checked as Google checks it: RS256 signature against the public key of the service account
// named by `iss` (the account's key pair is made here, with node:crypto), `aud` = this token URL, a `scope` that
// includes pubsub or cloud-platform, `iat` not in the future (60 s of skew) and `exp` after now, at most an hour
// after `iat`. It answers {"access_token","expires_in":3599,"token_type":"Bearer"} or 400 {"error":"invalid_grant",
// "error_description":…}. It also serves the metadata server's token (GET
// /computeMetadata/v1/instance/service-accounts/default/token with Metadata-Flavor: Google), for Application
// Default Credentials (GCE_METADATA_HOST).
//
// The Pub/Sub server (`endpoint`): POST /v1/projects/{project}/topics/{topic}:publish with a bearer token it
// issued (else 401 UNAUTHENTICATED), for a project the account may publish to (else 403 PERMISSION_DENIED), to a
// topic that exists (else 404 NOT_FOUND), with {"messages":[…]}: 1–1000 messages, `data` base64, a message with data
// or attributes, ≤ 100 attributes, names ≤ 256 bytes not starting with "goog", values ≤ 1024 bytes, an
// orderingKey ≤ 1024 bytes, the request ≤ 10 MB (else 400 INVALID_ARGUMENT). Success: 200 {"messageIds":[…]}.
// Errors are Google's shape: {"error":{"code","message","status"}}. Either server can be told to fail its next
// requests (429 RESOURCE_EXHAUSTED / 503 UNAVAILABLE with Retry-After, an error body echoing the credentials, a late
// answer after which the request is dropped: not processed).
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerQueuedFailure, FakeHttpServer, type QueuedFailure, sendJson } from "./fakes/http-fake.ts";

export interface ServiceAccount {
  email: string;
  /** The key file's JSON, as Google hands it out (token_uri = the stand-in's token URL). */
  keyJSON: string;
  privateKey: string;
  privateKeyId: string;
}

export interface PublishedMessage {
  project: string;
  topic: string;
  /** `data` decoded (UTF-8). */
  data: string;
  attributes: Record<string, string>;
  orderingKey?: string;
  messageId: string;
  /** The account whose token published it. */
  account: string;
  /** The request body as received. */
  raw: string;
}

export type FakePubsubFailure = QueuedFailure<{ echo?: boolean; message?: string }>;

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const SCOPES = ["https://www.googleapis.com/auth/pubsub", "https://www.googleapis.com/auth/cloud-platform"];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new service account key for `email`, whose key file names `tokenURL`. */
export function makeServiceAccount(email: string, tokenURL: string): ServiceAccount {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const privateKeyId = randomBytes(20).toString("hex");
  const keyJSON = JSON.stringify(
    {
      type: "service_account",
      project_id: email.split("@")[1]?.split(".")[0] ?? "project",
      private_key_id: privateKeyId,
      private_key: pem,
      client_email: email,
      client_id: "100000000000000000001",
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: tokenURL,
    },
    null,
    2,
  );
  return { email, keyJSON, privateKey: pem, privateKeyId };
}

interface Issued {
  account: string;
  expiresAtMs: number;
}

export class FakePubsub {
  readonly published: PublishedMessage[] = [];
  /** Every publish request body received (accepted or not). */
  readonly received: string[] = [];
  /** Every JWT claim set the token endpoint accepted. */
  readonly grants: Record<string, unknown>[] = [];
  /** Every token request received (accepted or not). */
  readonly tokenRequests: string[] = [];
  readonly #token: FakeHttpServer;
  readonly #pubsub: FakeHttpServer;
  readonly #accounts = new Map<
    string,
    { publicKey: KeyObject; projects: Set<string>; account: ServiceAccount }
  >();
  readonly #topics = new Set<string>();
  readonly #tokens = new Map<string, Issued>();
  readonly #failures: FakePubsubFailure[] = [];
  readonly #tokenFailures: FakePubsubFailure[] = [];
  #metadataAccount: string | undefined;
  #nextId = 1_000_000;

  private constructor(token: FakeHttpServer, pubsub: FakeHttpServer) {
    this.#token = token;
    this.#pubsub = pubsub;
  }

  static async start(): Promise<FakePubsub> {
    let self: FakePubsub | undefined;
    const token = await FakeHttpServer.start((req, body, res) => self!.#handleToken(req, body, res));
    const pubsub = await FakeHttpServer.start((req, body, res) => self!.#handlePubsub(req, body, res));
    self = new FakePubsub(token, pubsub);
    return self;
  }

  /** The Pub/Sub API root (the service's `endpoint`). */
  get endpoint(): string {
    return this.#pubsub.url;
  }

  /** The token endpoint (the key files' `token_uri`). */
  get tokenURL(): string {
    return `${this.#token.url}/token`;
  }

  /** host:port of the metadata server stand-in (GCE_METADATA_HOST). */
  get metadataHost(): string {
    return this.#token.url.replace(/^http:\/\//, "");
  }

  /** A service account that may publish to `projects`; its key file names this stand-in's token URL. */
  addServiceAccount(email: string, projects: string[]): ServiceAccount {
    const account = makeServiceAccount(email, this.tokenURL);
    this.#accounts.set(email, {
      publicKey: createPublicKey(account.privateKey),
      projects: new Set(projects),
      account,
    });
    return account;
  }

  /** The account the metadata server hands tokens for (Application Default Credentials on GKE/GCE). */
  setMetadataAccount(email: string): void {
    this.#metadataAccount = email;
  }

  addTopic(project: string, topic: string): void {
    this.#topics.add(`projects/${project}/topics/${topic}`);
  }

  /** The next publish requests are answered with these failures, in order. */
  fail(f: FakePubsubFailure): void {
    this.#failures.push(f);
  }

  /** The next token requests are answered with these failures, in order. */
  failToken(f: FakePubsubFailure): void {
    this.#tokenFailures.push(f);
  }

  /** Revokes every access token issued so far (the next publish with one is 401). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  reset(): void {
    this.published.length = 0;
    this.received.length = 0;
    this.grants.length = 0;
    this.tokenRequests.length = 0;
    this.#failures.length = 0;
    this.#tokenFailures.length = 0;
  }

  async close(): Promise<void> {
    await Promise.all([this.#token.close(), this.#pubsub.close()]);
  }

  #issue(account: string): { access_token: string; expires_in: number; token_type: string } {
    const token = `ya29.${randomBytes(24).toString("base64url")}`;
    this.#tokens.set(token, { account, expiresAtMs: Date.now() + 3599_000 });
    return { access_token: token, expires_in: 3599, token_type: "Bearer" };
  }

  async #handleToken(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/computeMetadata/v1/instance/service-accounts/default/token") {
      const headers = { "metadata-flavor": "Google" };
      if (req.headers["metadata-flavor"] !== "Google" || this.#metadataAccount === undefined)
        return sendJson(res, 403, { error: "missing Metadata-Flavor" }, headers);
      return sendJson(res, 200, this.#issue(this.#metadataAccount), headers);
    }
    if (path.startsWith("/computeMetadata/"))
      return sendJson(res, 404, { error: "not found" }, { "metadata-flavor": "Google" });
    const raw = body.toString("utf8");
    this.tokenRequests.push(raw);
    const refuse = (
      status: number,
      error: string,
      description: string,
      headers: Record<string, string> = {},
    ) => sendJson(res, status, { error, error_description: description }, headers);
    const form = new URLSearchParams(raw);
    const assertion = form.get("assertion") ?? "";
    const failed = await answerQueuedFailure(this.#tokenFailures, {
      late: () => refuse(504, "timeout", "late"),
      failed: (f, headers) => {
        const key = this.#accountOf(assertion)?.privateKey ?? "";
        refuse(
          f.status,
          f.status >= 500 ? "internal_failure" : "invalid_grant",
          f.echo ? `Invalid JWT: ${assertion} signed with ${key}` : (f.message ?? `failed with ${f.status}`),
          headers,
        );
      },
    });
    if (failed) return;
    if (path !== "/token" || req.method !== "POST") return refuse(404, "not_found", "no such endpoint");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
      return refuse(400, "invalid_request", "expected a form");
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return refuse(400, "unsupported_grant_type", "Invalid grant_type");
    const parts = assertion.split(".");
    if (parts.length !== 3) return refuse(400, "invalid_grant", "Invalid JWT: not three parts");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
      return refuse(400, "invalid_grant", "Invalid JWT: not JSON");
    }
    if (header.alg !== "RS256") return refuse(400, "invalid_grant", "Invalid JWT: alg must be RS256");
    const account = typeof claims.iss === "string" ? this.#accounts.get(claims.iss) : undefined;
    if (!account) return refuse(400, "invalid_grant", "Invalid grant: account not found");
    if (header.kid !== undefined && header.kid !== account.account.privateKeyId)
      return refuse(400, "invalid_grant", "Invalid JWT Signature.");
    const signed = verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      account.publicKey,
      Buffer.from(parts[2]!, "base64url"),
    );
    if (!signed) return refuse(400, "invalid_grant", "Invalid JWT Signature.");
    if (claims.aud !== this.tokenURL)
      return refuse(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
    if (!scopes.some((s) => SCOPES.includes(s))) return refuse(400, "invalid_scope", "Invalid OAuth scope.");
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== "number" ||
      typeof exp !== "number" ||
      iat > now + 60 ||
      exp <= now ||
      exp - iat > 3600
    )
      return refuse(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
      );
    this.grants.push(claims);
    return sendJson(res, 200, this.#issue(account.account.email));
  }

  #accountOf(assertion: string): ServiceAccount | undefined {
    try {
      const claims = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8")) as {
        iss?: string;
      };
      return claims.iss ? this.#accounts.get(claims.iss)?.account : undefined;
    } catch {
      return undefined;
    }
  }

  async #handlePubsub(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const error = (code: number, message: string, headers: Record<string, string> = {}) =>
      sendJson(res, code, { error: { code, message, status: STATUS_NAMES[code] ?? "UNKNOWN" } }, headers);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    const failed = await answerQueuedFailure(this.#failures, {
      late: () => error(504, "Deadline exceeded"),
      failed: (f, headers) => {
        const issued = bearer ? this.#tokens.get(bearer) : undefined;
        const key = issued ? (this.#accounts.get(issued.account)?.account.privateKey ?? "") : "";
        error(
          f.status,
          f.echo
            ? `Request with token ${bearer ?? ""} (key ${key}) was refused`
            : (f.message ?? `failed with ${f.status}`),
          headers,
        );
      },
    });
    if (failed) return;
    const m = /^\/v1\/projects\/([^/]+)\/topics\/([^/]+):publish$/.exec(
      new URL(req.url ?? "/", "http://x").pathname,
    );
    if (!m) return error(404, "Not found");
    if (req.method !== "POST") return error(405, "Method not allowed");
    const project = decodeURIComponent(m[1]!);
    const topic = decodeURIComponent(m[2]!);
    const issued = bearer ? this.#tokens.get(bearer) : undefined;
    if (!issued || issued.expiresAtMs <= Date.now())
      return error(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      );
    if (!this.#accounts.get(issued.account)?.projects.has(project))
      return error(403, `User not authorized to perform this action. (project ${project})`);
    if (!this.#topics.has(`projects/${project}/topics/${topic}`))
      return error(404, `Resource not found (resource=${topic}).`);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error(400, "Invalid JSON payload: expected application/json");
    if (body.length > 10_000_000)
      return error(400, "Request payload size exceeds the limit: 10485760 bytes.");
    let parsed: { messages?: unknown };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      return error(400, "Invalid JSON payload received.");
    }
    const messages = parsed.messages;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > 1000)
      return error(400, "The request must contain between 1 and 1000 messages.");
    const accepted: PublishedMessage[] = [];
    for (const msg of messages as Record<string, unknown>[]) {
      const unknown = Object.keys(msg).filter((k) => !["data", "attributes", "orderingKey"].includes(k));
      if (unknown.length) return error(400, `Invalid JSON payload received. Unknown name "${unknown[0]}"`);
      const data = msg.data ?? "";
      if (typeof data !== "string" || !BASE64.test(data))
        return error(400, "Invalid value at 'messages[0].data' (TYPE_BYTES), Base64 decoding failed");
      const attributes = (msg.attributes ?? {}) as Record<string, unknown>;
      if (typeof attributes !== "object" || Array.isArray(attributes))
        return error(400, "Invalid value at 'messages[0].attributes'");
      const names = Object.keys(attributes);
      if (data === "" && names.length === 0)
        return error(400, "Some messages are empty. Every message must contain either data or attributes.");
      if (names.length > 100) return error(400, "The message has too many attributes (max 100).");
      for (const [k, v] of Object.entries(attributes)) {
        if (typeof v !== "string") return error(400, `Invalid value at 'messages[0].attributes[${k}]'`);
        if (k === "" || Buffer.byteLength(k) > 256)
          return error(400, "An attribute key must be between 1 and 256 bytes.");
        if (k.startsWith("goog")) return error(400, `Attribute key "${k}" is reserved (goog prefix).`);
        if (Buffer.byteLength(v) > 1024)
          return error(400, `The value for attribute "${k}" exceeds 1024 bytes.`);
      }
      const orderingKey = msg.orderingKey;
      if (
        orderingKey !== undefined &&
        (typeof orderingKey !== "string" || Buffer.byteLength(orderingKey) > 1024)
      )
        return error(400, "An ordering key must be a string of at most 1024 bytes.");
      const published: PublishedMessage = {
        project,
        topic,
        data: Buffer.from(data, "base64").toString("utf8"),
        attributes: attributes as Record<string, string>,
        messageId: String(this.#nextId++),
        account: issued.account,
        raw,
      };
      if (typeof orderingKey === "string" && orderingKey !== "") published.orderingKey = orderingKey;
      accepted.push(published);
    }
    this.published.push(...accepted);
    return sendJson(res, 200, { messageIds: accepted.map((p) => p.messageId) });
  }
}
