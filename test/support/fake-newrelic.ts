// A stand-in New Relic REST API v2 for deployment markers on a real HTTP server:
// POST /v2/applications/<id>/deployments.json with X-Api-Key (else 401 {"error":{"title":"The API key provided is
// invalid"}}), JSON {"deployment": {revision (required, ≤ 127 characters), changelog, description, user}} (else 422
// {"error":{"title":…}}); an unknown application is 404. Success: 201 {"deployment": {id, revision, …, timestamp}}.
// It can be told to fail the next request (status, Retry-After, an error echoing the key) or to answer late and drop
// it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeNewrelicMarker {
  appId: string;
  deployment: Record<string, unknown>;
  raw: string;
}

export type FakeNewrelicFailure = QueuedFailure<{ title?: string }>;

export class FakeNewrelic extends StandInApi<FakeNewrelicFailure> {
  readonly markers: FakeNewrelicMarker[] = [];
  readonly received: string[] = [];
  readonly #apiKey: string;
  readonly #apps: Set<string>;
  #nextId = 1000;

  private constructor(server: FakeHttpServer, apiKey: string, apps: string[]) {
    super(server);
    this.#apiKey = apiKey;
    this.#apps = new Set(apps);
  }

  static async start(opts: { apiKey: string; apps: string[] }): Promise<FakeNewrelic> {
    return StandInApi.serve((server) => new FakeNewrelic(server, opts.apiKey, opts.apps));
  }

  get apiURL(): string {
    return this.server.url;
  }

  reset(): void {
    this.markers.length = 0;
    this.received.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const reply = (status: number, json: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    const error = (status: number, title: string, headers: Record<string, string> = {}) =>
      reply(status, { error: { title } }, headers);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "Gateway Timeout"),
      failed: (f, headers) => error(f.status, f.title ?? `failed with ${f.status}`, headers),
    });
    if (failed) return;
    const m = /^\/v2\/applications\/(\d+)\/deployments\.json$/.exec(
      new URL(req.url ?? "/", "http://x").pathname,
    );
    if (!m) return error(404, "Not found");
    if (req.method !== "POST") return error(405, "Method not allowed");
    if (req.headers["x-api-key"] !== this.#apiKey) return error(401, "The API key provided is invalid");
    const appId = m[1]!;
    if (!this.#apps.has(appId)) return error(404, `No Application found with ID ${appId}`);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error(415, "Content-Type must be application/json");
    let doc: { deployment?: Record<string, unknown> };
    try {
      doc = JSON.parse(raw) as typeof doc;
    } catch {
      return error(400, "Invalid JSON");
    }
    const d = doc.deployment;
    if (!d || typeof d !== "object") return error(422, "deployment is required");
    if (typeof d.revision !== "string" || !d.revision.trim()) return error(422, "revision is required");
    if (Array.from(d.revision).length > 127)
      return error(422, "revision is too long (maximum 127 characters)");
    for (const k of ["changelog", "description", "user"])
      if (d[k] !== undefined && typeof d[k] !== "string") return error(422, `${k} must be a string`);
    this.markers.push({ appId, deployment: d, raw });
    reply(201, { deployment: { id: this.#nextId++, ...d, timestamp: new Date().toISOString() } });
  }
}
