// A stand-in Opsgenie Alert API v2 on a real HTTP server, validating requests as docs.opsgenie.com documents them:
// `Authorization: GenieKey <key>` of a known integration (401 Could not authenticate), create (POST /v2/alerts):
// message required (≤ 130), alias ≤ 512, description ≤ 15000, note ≤ 25000, source ≤ 100, priority P1–P5, tags ≤ 20
// of ≤ 50, responders [{type: team|user|escalation|schedule, id|name}] — 422 {message, errors{field}} otherwise;
// close (POST /v2/alerts/<identifier>/close?identifierType=alias|id|tiny). Both answer 202 {result:"Request will be
// processed", took, requestId} and are processed as Opsgenie does: a create with the alias of an open alert
// de-duplicates into it (count + 1), a close of an unknown or closed alias does nothing. It can be told to fail
// the next request (status, Retry-After, a message echoing the key) or to answer late and drop it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
  sendJson,
} from "./fakes/http-fake.ts";

export interface FakeOpsgenieAlert {
  key: string;
  alias: string;
  message: string;
  priority: string;
  status: "open" | "closed";
  count: number;
  tags: string[];
  responders: unknown[];
}

export interface FakeOpsgenieRequest {
  path: string;
  authorization: string;
  body: string;
  status?: number;
}

export type FakeOpsgenieFailure = QueuedFailure<{ message?: string }>;

const RESPONDER_TYPES = ["team", "user", "escalation", "schedule"];

export class FakeOpsgenie extends StandInApi<FakeOpsgenieFailure> {
  readonly alerts: FakeOpsgenieAlert[] = [];
  readonly requests: FakeOpsgenieRequest[] = [];
  readonly #keys: Set<string>;

  private constructor(server: FakeHttpServer, keys: string[]) {
    super(server);
    this.#keys = new Set(keys);
  }

  static async start(opts: { keys: string[] }): Promise<FakeOpsgenie> {
    return StandInApi.serve((server) => new FakeOpsgenie(server, opts.keys));
  }

  get apiUrl(): string {
    return this.server.url;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const record: FakeOpsgenieRequest = {
      path: req.url ?? "",
      authorization: String(req.headers.authorization ?? ""),
      body: body.toString("utf8"),
    };
    this.requests.push(record);
    const answer = (
      status: number,
      payload: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      record.status = status;
      sendJson(res, status, { ...payload, took: 0.01, requestId: randomUUID() }, headers);
    };
    const failed = await answerQueuedFailure(this.failures, {
      late: () => answer(504, { message: "Gateway Timeout" }),
      failed: (f, headers) =>
        answer(
          f.status,
          { message: f.message ?? (f.status === 429 ? "Too many requests" : "Internal Server Error") },
          headers,
        ),
    });
    if (failed) return;
    const auth = /^GenieKey (.+)$/.exec(record.authorization);
    if (!auth || !this.#keys.has(auth[1]!)) return answer(401, { message: "Could not authenticate" });
    const key = auth[1]!;
    if (req.method !== "POST") return answer(405, { message: "Method not allowed" });
    const url = new URL(record.path, "http://x");
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(record.body || "{}") as Record<string, unknown>;
    } catch {
      return answer(400, { message: "Could not parse request body" });
    }
    const close = /^\/v2\/alerts\/([^/]+)\/close$/.exec(url.pathname);
    if (close) {
      const type = url.searchParams.get("identifierType") ?? "id";
      if (!["alias", "id", "tiny"].includes(type)) return answer(422, { message: "Invalid identifier type" });
      const id = decodeURIComponent(close[1]!);
      const open = this.alerts.find((a) => a.key === key && a.alias === id && a.status === "open");
      if (open) open.status = "closed";
      return answer(202, { result: "Request will be processed" });
    }
    if (url.pathname !== "/v2/alerts") return answer(404, { message: "Not found" });
    const errors = validateCreate(p);
    if (Object.keys(errors).length) {
      return answer(422, { message: "Request body is not processable. Please check the errors.", errors });
    }
    const alias = typeof p.alias === "string" && p.alias ? p.alias : randomUUID();
    const open = this.alerts.find((a) => a.key === key && a.alias === alias && a.status === "open");
    if (open) open.count++;
    else {
      this.alerts.push({
        key,
        alias,
        message: String(p.message),
        priority: String(p.priority ?? "P3"),
        status: "open",
        count: 1,
        tags: (p.tags as string[] | undefined) ?? [],
        responders: (p.responders as unknown[] | undefined) ?? [],
      });
    }
    answer(202, { result: "Request will be processed" });
  }
}

function validateCreate(p: Record<string, unknown>): Record<string, string> {
  const e: Record<string, string> = {};
  const str = (k: string, max: number, required = false) => {
    const v = p[k];
    if (v === undefined) {
      if (required) e[k] = `${k[0]!.toUpperCase()}${k.slice(1)} can not be empty.`;
      return;
    }
    if (typeof v !== "string") e[k] = `${k} must be a string`;
    else if (required && !v.trim()) e[k] = `${k[0]!.toUpperCase()}${k.slice(1)} can not be empty.`;
    else if ([...v].length > max) e[k] = `${k} can not be longer than ${max} characters.`;
  };
  str("message", 130, true);
  str("alias", 512);
  str("description", 15000);
  str("note", 25000);
  str("source", 100);
  if (p.priority !== undefined && !["P1", "P2", "P3", "P4", "P5"].includes(String(p.priority))) {
    e.priority = "Priority should be one of these: 'P1', 'P2', 'P3', 'P4', 'P5'";
  }
  if (p.tags !== undefined) {
    const tags = p.tags;
    if (
      !Array.isArray(tags) ||
      tags.length > 20 ||
      tags.some((t) => typeof t !== "string" || t.length > 50)
    ) {
      e.tags = "Tags can have at most 20 items of at most 50 characters";
    }
  }
  if (p.responders !== undefined) {
    const r = p.responders;
    const ok =
      Array.isArray(r) &&
      r.every((x) => {
        const o = x as Record<string, unknown>;
        return (
          RESPONDER_TYPES.includes(String(o.type)) && (typeof o.id === "string" || typeof o.name === "string")
        );
      });
    if (!ok)
      e.responders = "Responders must have a type (team, user, escalation, schedule) and an id or name";
  }
  return e;
}
