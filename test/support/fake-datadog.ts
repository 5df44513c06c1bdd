// A stand-in Datadog Events API v1 on a real HTTP server, as docs.datadoghq.com/api/latest/events documents it:
// POST /api/v1/events with DD-API-KEY (a missing or unknown key is 403 {"errors": ["Forbidden"]}), Content-Type
// application/json, a body with title (required, ≤ 100 characters) and text (required, ≤ 4000), alert_type (error,
// warning, info, success, user_update, recommendation, snapshot), priority (normal, low), tags (array of strings),
// aggregation_key (≤ 100), date_happened (integer, not older than 18 hours); otherwise 400 {"errors": […]}.
// Success: 202 {"status": "ok", "event": {id, id_str, title, text, tags, …, url}}. A rate limit is 429 with
// X-RateLimit-Limit/Period/Remaining/Reset (seconds until reset) and {"errors": ["Rate limit of traffic exceeded"]}.
// It can be told to fail the next request (status, reset, an error echoing the key) or to answer late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeDatadogEvent {
  body: Record<string, unknown>;
  raw: string;
}

export type FakeDatadogFailure = QueuedFailure<{ error?: string }>;

const ALERT_TYPES = ["error", "warning", "info", "success", "user_update", "recommendation", "snapshot"];

export class FakeDatadog extends StandInApi<FakeDatadogFailure> {
  readonly events: FakeDatadogEvent[] = [];
  readonly received: string[] = [];
  readonly #apiKey: string;
  #nextId = 7_000_000_000_000_000_000n;

  private constructor(server: FakeHttpServer, apiKey: string) {
    super(server);
    this.#apiKey = apiKey;
  }

  static async start(opts: { apiKey: string }): Promise<FakeDatadog> {
    return StandInApi.serve((server) => new FakeDatadog(server, opts.apiKey));
  }

  get apiURL(): string {
    return this.server.url;
  }

  reset(): void {
    this.events.length = 0;
    this.received.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    const errors = (status: number, ...messages: string[]) => reply(status, { errors: messages });
    if (new URL(req.url ?? "/", "http://x").pathname !== "/api/v1/events") return errors(404, "Not found");
    if (req.method !== "POST") return errors(405, "Method Not Allowed");
    this.received.push(raw);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => errors(504, "Gateway Timeout"),
      failed: (f, headers) => {
        // Datadog says when a rate limit resets in its own headers, not in Retry-After
        const { "retry-after": _retryAfter, ...other } = headers;
        const rate: Record<string, string> =
          f.status === 429
            ? {
                "x-ratelimit-limit": "1000",
                "x-ratelimit-period": "60",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": String(f.retryAfterSec ?? 60),
                "x-ratelimit-name": "events_post",
              }
            : {};
        const message =
          f.error ?? (f.status === 429 ? "Rate limit of traffic exceeded" : `failed with ${f.status}`);
        reply(f.status, { errors: [message] }, { ...other, ...rate });
      },
    });
    if (failed) return;
    if (req.headers["dd-api-key"] !== this.#apiKey) return errors(403, "Forbidden");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return errors(415, "Unsupported Media Type");
    let doc: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      doc = parsed as Record<string, unknown>;
    } catch {
      return errors(400, "Invalid JSON body");
    }
    const problem = eventProblem(doc);
    if (problem) return errors(400, problem);
    this.events.push({ body: doc, raw });
    const id = this.#nextId++;
    reply(202, {
      status: "ok",
      event: {
        id: Number(id),
        id_str: String(id),
        title: doc.title,
        text: doc.text,
        date_happened: Math.floor(Date.now() / 1000),
        priority: doc.priority ?? null,
        tags: doc.tags ?? null,
        url: `https://app.datadoghq.com/event/event?id=${id}`,
      },
    });
  }
}

function eventProblem(doc: Record<string, unknown>): string | undefined {
  if (typeof doc.title !== "string" || !doc.title) return "Event title is required";
  if (Array.from(doc.title).length > 100) return "Event title is limited to 100 characters";
  if (typeof doc.text !== "string" || !doc.text) return "Event text is required";
  if (Array.from(doc.text).length > 4000) return "Event text is limited to 4000 characters";
  if (doc.alert_type !== undefined && !ALERT_TYPES.includes(String(doc.alert_type)))
    return `Invalid alert_type: ${String(doc.alert_type)}`;
  if (
    doc.priority !== undefined &&
    doc.priority !== null &&
    !["normal", "low"].includes(String(doc.priority))
  )
    return `Invalid priority: ${String(doc.priority)}`;
  if (doc.tags !== undefined && !(Array.isArray(doc.tags) && doc.tags.every((t) => typeof t === "string")))
    return "tags must be an array of strings";
  if (
    doc.aggregation_key !== undefined &&
    (typeof doc.aggregation_key !== "string" || doc.aggregation_key.length > 100)
  )
    return "aggregation_key must be a string of at most 100 characters";
  if (doc.date_happened !== undefined) {
    if (!Number.isInteger(doc.date_happened)) return "date_happened must be an integer";
    if ((doc.date_happened as number) < Date.now() / 1000 - 18 * 3600)
      return "date_happened is older than 18 hours";
  }
  return undefined;
}
