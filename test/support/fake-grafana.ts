// A stand-in Grafana HTTP API for annotations on a real HTTP server, validating requests as Grafana documents them:
// every request needs `Authorization: Bearer <api key or service-account token>` (else 401 {"message":
// "Unauthorized"}).
//   POST  /api/annotations      JSON {time, timeEnd?: epoch ms, tags?: string[], text (required, non-empty),
//                               dashboardUID?, panelId?} → 200 {"message":"Annotation added","id":N}; 400 on a bad
//                               body, 404 for an unknown dashboard.
//   PATCH /api/annotations/:id  JSON {time?, timeEnd?, tags?, text?} → 200 {"message":"Annotation patched"}; 404
//                               {"message":"Annotation not found"} for an unknown id.
//   GET   /api/annotations      ?from&to (epoch ms: time <= to and timeEnd >= from), tags (all of them), type,
//                               dashboardUID, panelId, limit (default 100) → 200 [annotations, newest first].
// It can be told to fail the next request (status, Retry-After, a message echoing the key), or to answer it late:
// dropped, or processed and then answered late (the client has given up by then).
import type { IncomingMessage, ServerResponse } from "node:http";
import { type FakeHttpServer, StandInApi, sendJson, sleep } from "./fakes/http-fake.ts";

export interface FakeGrafanaAnnotation {
  id: number;
  time: number;
  timeEnd: number;
  tags: string[];
  text: string;
  dashboardUID?: string;
  panelId?: number;
}

/** An accepted POST or PATCH: what it asked, on which annotation. */
export interface FakeGrafanaWrite {
  method: "POST" | "PATCH";
  id: number;
  body: Record<string, unknown>;
  raw: string;
}

export type FakeGrafanaFailure =
  | { status: number; retryAfterSec?: number; message?: string }
  | { delayMs: number; processed?: boolean };

const isMs = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v > 1e11 && v < 1e14;
const isTags = (v: unknown): v is string[] => Array.isArray(v) && v.every((t) => typeof t === "string");

export class FakeGrafana extends StandInApi<FakeGrafanaFailure> {
  readonly annotations = new Map<number, FakeGrafanaAnnotation>();
  readonly writes: FakeGrafanaWrite[] = [];
  /** Every request as "<METHOD> <path> <body>". */
  readonly received: string[] = [];
  readonly #apiKey: string;
  readonly #dashboards: Set<string>;
  #nextId = 1;

  private constructor(server: FakeHttpServer, apiKey: string, dashboards: string[]) {
    super(server);
    this.#apiKey = apiKey;
    this.#dashboards = new Set(dashboards);
  }

  static async start(opts: { apiKey: string; dashboards?: string[] }): Promise<FakeGrafana> {
    return StandInApi.serve((server) => new FakeGrafana(server, opts.apiKey, opts.dashboards ?? []));
  }

  /** The `apiUrl` a service config names (Grafana's API root). */
  get apiUrl(): string {
    return `${this.server.url}/api`;
  }

  /** Deletes an annotation (as a user would in Grafana). */
  deleteAnnotation(id: number): void {
    this.annotations.delete(id);
  }

  reset(): void {
    this.annotations.clear();
    this.writes.length = 0;
    this.received.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    this.received.push(`${req.method} ${url.pathname} ${raw}`);
    const f = this.failures.shift();
    if (f && "delayMs" in f) {
      if (!f.processed) {
        await sleep(f.delayMs);
        return sendJson(res, 504, { message: "Gateway Timeout" });
      }
      const answer = this.#answer(req, url, raw);
      await sleep(f.delayMs);
      return sendJson(res, answer.status, answer.body);
    }
    if (f) {
      const headers: Record<string, string> =
        f.retryAfterSec !== undefined ? { "retry-after": String(f.retryAfterSec) } : {};
      return sendJson(res, f.status, { message: f.message ?? `failed with ${f.status}` }, headers);
    }
    const answer = this.#answer(req, url, raw);
    sendJson(res, answer.status, answer.body);
  }

  #answer(req: IncomingMessage, url: URL, raw: string): { status: number; body: unknown } {
    const error = (status: number, message: string) => ({ status, body: { message } });
    if (req.headers.authorization !== `Bearer ${this.#apiKey}`) return error(401, "Unauthorized");
    const m = /^\/api\/annotations(?:\/(\d+))?$/.exec(url.pathname);
    if (!m) return error(404, "Not found");
    const id = m[1] === undefined ? undefined : Number(m[1]);
    if (req.method === "GET" && id === undefined)
      return { status: 200, body: this.#search(url.searchParams) };
    if (req.method !== "POST" && req.method !== "PATCH") return error(405, "Method not allowed");
    if ((req.method === "POST") !== (id === undefined)) return error(405, "Method not allowed");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error(415, "Content-Type must be application/json");
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "bad request data");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return error(400, "bad request data");
    if (doc.time !== undefined && !isMs(doc.time)) return error(400, "time must be epoch milliseconds");
    if (doc.timeEnd !== undefined && !isMs(doc.timeEnd))
      return error(400, "timeEnd must be epoch milliseconds");
    if (doc.tags !== undefined && !isTags(doc.tags)) return error(400, "tags must be an array of strings");
    if (doc.text !== undefined && typeof doc.text !== "string") return error(400, "text must be a string");
    if (req.method === "POST") {
      if (typeof doc.text !== "string" || doc.text === "")
        return error(400, "Failed to save annotation: text field should not be empty");
      if (doc.dashboardUID !== undefined && !this.#dashboards.has(String(doc.dashboardUID)))
        return error(404, "Dashboard not found");
      if (doc.panelId !== undefined && !(typeof doc.panelId === "number" && Number.isInteger(doc.panelId)))
        return error(400, "panelId must be a number");
      const time = (doc.time as number | undefined) ?? Date.now();
      const timeEnd = (doc.timeEnd as number | undefined) ?? time;
      if (timeEnd < time) return error(400, "timeEnd must not be before time");
      const a: FakeGrafanaAnnotation = {
        id: this.#nextId++,
        time,
        timeEnd,
        tags: (doc.tags as string[] | undefined) ?? [],
        text: doc.text,
      };
      if (doc.dashboardUID !== undefined) a.dashboardUID = String(doc.dashboardUID);
      if (doc.panelId !== undefined) a.panelId = doc.panelId as number;
      this.annotations.set(a.id, a);
      this.writes.push({ method: "POST", id: a.id, body: doc, raw });
      return { status: 200, body: { message: "Annotation added", id: a.id } };
    }
    const a = this.annotations.get(id!);
    if (!a) return error(404, "Annotation not found");
    if (doc.text === "") return error(400, "text field should not be empty");
    const time = (doc.time as number | undefined) ?? a.time;
    const timeEnd = (doc.timeEnd as number | undefined) ?? a.timeEnd;
    if (timeEnd < time) return error(400, "timeEnd must not be before time");
    a.time = time;
    a.timeEnd = timeEnd;
    if (typeof doc.text === "string") a.text = doc.text;
    if (doc.tags !== undefined) a.tags = doc.tags as string[];
    this.writes.push({ method: "PATCH", id: a.id, body: doc, raw });
    return { status: 200, body: { message: "Annotation patched" } };
  }

  #search(q: URLSearchParams): FakeGrafanaAnnotation[] {
    const from = q.has("from") ? Number(q.get("from")) : Number.NEGATIVE_INFINITY;
    const to = q.has("to") ? Number(q.get("to")) : Number.POSITIVE_INFINITY;
    const tags = q.getAll("tags");
    const limit = Number(q.get("limit") ?? 100);
    return [...this.annotations.values()]
      .filter((a) => a.time <= to && a.timeEnd >= from)
      .filter((a) => tags.every((t) => a.tags.includes(t)))
      .filter((a) => !q.has("dashboardUID") || a.dashboardUID === q.get("dashboardUID"))
      .filter((a) => !q.has("panelId") || a.panelId === Number(q.get("panelId")))
      .sort((x, y) => y.time - x.time || y.id - x.id)
      .slice(0, limit)
      .map((a) => ({ ...a, tags: [...a.tags] }));
  }
}
