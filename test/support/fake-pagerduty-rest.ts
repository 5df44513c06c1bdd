// A stand-in PagerDuty REST API v2 (incidents) on a real HTTP server, validating requests as developer.pagerduty.com
// documents them: `Authorization: Token token=<token>` (401 {error:{message:"Unauthorized",code:2006}}), a `From`
// header naming a user of the account for POST/PUT (400 code 2001 "Requester User Not Found"); POST /incidents with
// {incident: {type: "incident", title (required, ≤ 255), service {id of a known service, type service_reference},
// urgency high|low, body {type incident_body, details}, priority {id, type priority_reference}, incident_key}}
// → 201 {incident}; an open incident with the same key on the service → 400 "Open incident with matching dedup key
// already exists on this service"; GET /incidents?incident_key=&statuses[]= → {incidents}; PUT /incidents/<id>
// {incident: {type: incident_reference, status: resolved|acknowledged}} → 200. It can be told to fail the next
// request (status, Retry-After, a message echoing the token) or to answer late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
  sendJson,
} from "./fakes/http-fake.ts";

export interface FakePdIncident {
  id: string;
  service: string;
  title: string;
  urgency: string;
  incident_key: string;
  status: "triggered" | "acknowledged" | "resolved";
}

export interface FakePdRequest {
  method: string;
  path: string;
  body: string;
  status?: number;
  /** The answer's body. */
  reply?: string;
}

export type FakePdRestFailure = QueuedFailure<{ message?: string }>;

export class FakePagerDutyRest extends StandInApi<FakePdRestFailure> {
  readonly incidents: FakePdIncident[] = [];
  readonly requests: FakePdRequest[] = [];
  readonly #token: string;
  readonly #users: Set<string>;
  readonly #services: Set<string>;
  #next = 1;

  private constructor(server: FakeHttpServer, opts: { token: string; users: string[]; services: string[] }) {
    super(server);
    this.#token = opts.token;
    this.#users = new Set(opts.users);
    this.#services = new Set(opts.services);
  }

  static async start(opts: {
    token: string;
    users: string[];
    services: string[];
  }): Promise<FakePagerDutyRest> {
    return StandInApi.serve((server) => new FakePagerDutyRest(server, opts));
  }

  get apiURL(): string {
    return this.server.url;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const rec: FakePdRequest = { method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") };
    this.requests.push(rec);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      rec.reply = JSON.stringify(payload);
      sendJson(res, status, payload, headers);
    };
    const error = (status: number, message: string, code: number, errors: string[] = []) =>
      answer(status, { error: { message, code, errors } });
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "Gateway Timeout", 0),
      failed: (f, headers) =>
        answer(f.status, { error: { message: f.message ?? "Failed", code: 0 } }, headers),
    });
    if (failed) return;
    if (req.headers.authorization !== `Token token=${this.#token}`) return error(401, "Unauthorized", 2006);
    const url = new URL(rec.path, "http://x");
    if (req.method !== "GET" && !this.#users.has(String(req.headers.from ?? ""))) {
      return error(400, "Invalid Input Provided", 2001, ["Requester User Not Found"]);
    }
    let p: Record<string, unknown> = {};
    if (rec.body) {
      try {
        p = JSON.parse(rec.body) as Record<string, unknown>;
      } catch {
        return error(400, "Invalid Input Provided", 2001, ["Invalid JSON"]);
      }
    }
    if (req.method === "GET" && url.pathname === "/incidents") {
      const key = url.searchParams.get("incident_key");
      const statuses = url.searchParams.getAll("statuses[]");
      const list = this.incidents.filter(
        (i) => (key === null || i.incident_key === key) && (!statuses.length || statuses.includes(i.status)),
      );
      return answer(200, { incidents: list, limit: 25, offset: 0, more: false });
    }
    if (req.method === "POST" && url.pathname === "/incidents") {
      const inc = p.incident as Record<string, unknown> | undefined;
      const errors: string[] = [];
      if (inc?.type !== "incident") errors.push("Incident type must be incident");
      const title = inc?.title;
      if (typeof title !== "string" || !title) errors.push("Title cannot be empty");
      else if (title.length > 255) errors.push("Title is too long (maximum is 255 characters)");
      const service = inc?.service as { id?: string; type?: string } | undefined;
      if (service?.type !== "service_reference" || !this.#services.has(String(service.id)))
        errors.push("Service Not Found");
      if (inc?.urgency !== undefined && !["high", "low"].includes(String(inc.urgency)))
        errors.push("Urgency must be high or low");
      const b = inc?.body as { type?: string; details?: unknown } | undefined;
      if (b !== undefined && (b.type !== "incident_body" || typeof b.details !== "string"))
        errors.push("Body must be an incident_body");
      if (errors.length) return error(400, "Invalid Input Provided", 2001, errors);
      const key = typeof inc!.incident_key === "string" ? inc!.incident_key : `auto-${this.#next}`;
      if (
        this.incidents.some(
          (i) => i.incident_key === key && i.service === service!.id && i.status !== "resolved",
        )
      ) {
        return error(400, "Invalid Input Provided", 2001, [
          "Open incident with matching dedup key already exists on this service",
        ]);
      }
      const incident: FakePdIncident = {
        id: `Q${String(this.#next++).padStart(6, "0")}`,
        service: String(service!.id),
        title: String(title),
        urgency: String(inc!.urgency ?? "high"),
        incident_key: key,
        status: "triggered",
      };
      this.incidents.push(incident);
      return answer(201, { incident });
    }
    const put = /^\/incidents\/([^/]+)$/.exec(url.pathname);
    if (req.method === "PUT" && put) {
      const incident = this.incidents.find((i) => i.id === decodeURIComponent(put[1]!));
      if (!incident) return error(404, "Not Found", 2100);
      const upd = p.incident as { type?: string; status?: string } | undefined;
      if (upd?.type !== "incident_reference" || !["resolved", "acknowledged"].includes(String(upd.status))) {
        return error(400, "Invalid Input Provided", 2001, ["Status must be resolved or acknowledged"]);
      }
      incident.status = upd.status as FakePdIncident["status"];
      return answer(200, { incident });
    }
    return error(404, "Not Found", 2100);
  }
}
