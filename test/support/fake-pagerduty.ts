// A fake PagerDuty Events API v2 (POST /v2/enqueue) on a real HTTP server, validating events as PagerDuty's
// developer docs describe them: routing_key of 32 characters, event_action trigger|acknowledge|resolve,
// dedup_key ≤ 255 characters (required for acknowledge/resolve), for triggers a payload with summary
// (≤ 1024 characters), source and severity (critical|error|warning|info), custom_details an object, and the
// whole event ≤ 512 KB. Answers 202 {status:"success",message:"Event processed",dedup_key}, 400
// {status:"invalid event",message:"Event object is invalid",errors:[…]}, and can be told to answer 429/5xx or
// be down. Tracks alerts per (routing_key, dedup_key): triggered → acknowledged → resolved; a trigger after a
// resolve opens a new alert, acknowledge/resolve without an open alert are dropped.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type DownMode, FakeHttpServer, sendJson, sleep } from "./fakes/http-fake.ts";

export interface FakePagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "acknowledge" | "resolve";
  dedup_key: string;
  payload?: Record<string, unknown>;
  client?: string;
  [k: string]: unknown;
}

export interface FakePagerDutyAlert {
  routingKey: string;
  dedupKey: string;
  status: "triggered" | "acknowledged" | "resolved";
  summary: string;
  severity: string;
  /** Every event applied to this alert, in order. */
  events: FakePagerDutyEvent[];
}

export type FakePagerDutyFailure =
  | { status: number; retryAfterSec?: number; errors?: string[] }
  | { reset: true }
  | { delayMs: number; status?: number };

const ACTIONS = ["trigger", "acknowledge", "resolve"];
const SEVERITIES = ["critical", "error", "warning", "info"];
const MAX_BYTES = 512 * 1024;

export class FakePagerDuty {
  /** Every request body received (valid or not), in order. */
  readonly received: unknown[] = [];
  /** Raw text of every request to /v2/enqueue, failed ones included, in order. */
  readonly requests: string[] = [];
  /** Accepted events, in order. */
  readonly accepted: FakePagerDutyEvent[] = [];
  readonly alerts: FakePagerDutyAlert[] = [];
  /** Dropped acknowledge/resolve events (no open alert). */
  readonly dropped: FakePagerDutyEvent[] = [];
  readonly #server: FakeHttpServer;
  readonly #failures: { failure: FakePagerDutyFailure; times: number; after: number }[] = [];

  private constructor(server: FakeHttpServer) {
    this.#server = server;
  }

  static async start(): Promise<FakePagerDuty> {
    let self: FakePagerDuty | undefined;
    const server = await FakeHttpServer.start((req, body, res) => self!.#handle(req, body, res));
    self = new FakePagerDuty(server);
    return self;
  }

  /** What to put in the service's `apiURL`. */
  get apiURL(): string {
    return this.#server.url;
  }

  /** Makes `times` requests fail this way, after `after` more requests are answered normally. */
  fail(failure: FakePagerDutyFailure, times = 1, opts: { after?: number } = {}): void {
    this.#failures.push({ failure, times, after: opts.after ?? 0 });
  }

  down(ms: number, mode: DownMode = "refuse"): Promise<void> {
    return this.#server.down(ms, mode);
  }

  /** Back up before the down period ends. */
  up(): Promise<void> {
    return this.#server.up();
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  /** The open (triggered/acknowledged) alert for a key, or the latest one. */
  alert(routingKey: string, dedupKey: string): FakePagerDutyAlert | undefined {
    return this.alerts.filter((a) => a.routingKey === routingKey && a.dedupKey === dedupKey).at(-1);
  }

  async #handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname !== "/v2/enqueue") return sendJson(res, 404, { status: "not found" });
    if (req.method !== "POST") return sendJson(res, 405, { status: "method not allowed" });
    this.requests.push(body.toString("utf8"));
    const next = this.#failures[0];
    const f = next && next.after-- <= 0 ? next : undefined;
    if (f) {
      if (--f.times <= 0) this.#failures.shift();
      if ("reset" in f.failure) return void req.socket.resetAndDestroy();
      if ("delayMs" in f.failure) {
        await sleep(f.failure.delayMs);
        // answered late with an error: not processed
        if (f.failure.status !== undefined) return sendJson(res, f.failure.status, { status: "error" });
      } else {
        const headers: Record<string, string> = {};
        if (f.failure.retryAfterSec !== undefined) headers["retry-after"] = String(f.failure.retryAfterSec);
        const answer = f.failure.errors
          ? { status: "invalid event", message: "Event object is invalid", errors: f.failure.errors }
          : { status: "error", message: `HTTP ${f.failure.status}` };
        return sendJson(res, f.failure.status, answer, headers);
      }
    }
    let event: unknown;
    try {
      event = JSON.parse(body.toString("utf8"));
    } catch {
      this.received.push(body.toString("utf8"));
      return sendJson(res, 400, {
        status: "invalid event",
        message: "Event object is invalid",
        errors: ["Invalid JSON"],
      });
    }
    this.received.push(event);
    const errors = validate(event, body.length);
    if (errors.length)
      return sendJson(res, 400, { status: "invalid event", message: "Event object is invalid", errors });
    const ev = event as FakePagerDutyEvent;
    if (!ev.dedup_key) ev.dedup_key = randomUUID().replaceAll("-", "");
    this.accepted.push(ev);
    this.#apply(ev);
    if (res.destroyed) return;
    sendJson(res, 202, { status: "success", message: "Event processed", dedup_key: ev.dedup_key });
  }

  #apply(ev: FakePagerDutyEvent): void {
    const open = this.alerts.find(
      (a) => a.routingKey === ev.routing_key && a.dedupKey === ev.dedup_key && a.status !== "resolved",
    );
    if (ev.event_action === "trigger") {
      if (open) {
        open.events.push(ev);
        return;
      }
      const payload = ev.payload as { summary: string; severity: string };
      this.alerts.push({
        routingKey: ev.routing_key,
        dedupKey: ev.dedup_key,
        status: "triggered",
        summary: payload.summary,
        severity: payload.severity,
        events: [ev],
      });
      return;
    }
    if (!open) {
      this.dropped.push(ev);
      return;
    }
    open.events.push(ev);
    open.status = ev.event_action === "resolve" ? "resolved" : "acknowledged";
  }
}

function validate(event: unknown, bytes: number): string[] {
  const errors: string[] = [];
  if (bytes > MAX_BYTES) errors.push("Event object is too large (limit 512 KB)");
  if (typeof event !== "object" || event === null || Array.isArray(event))
    return ["Event object must be a JSON object"];
  const e = event as Record<string, unknown>;
  if (typeof e.routing_key !== "string" || e.routing_key === "")
    errors.push("'routing_key' is missing or blank");
  else if (e.routing_key.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (typeof e.event_action !== "string" || !ACTIONS.includes(e.event_action)) {
    errors.push("'event_action' is missing or blank, or is not one of trigger, acknowledge, resolve");
  }
  if (e.dedup_key !== undefined) {
    if (typeof e.dedup_key !== "string") errors.push("'dedup_key' must be a string");
    else if (e.dedup_key.length > 255)
      errors.push("Length of 'dedup_key' is too long (maximum is 255 characters)");
  }
  if ((e.event_action === "acknowledge" || e.event_action === "resolve") && !e.dedup_key) {
    errors.push("'dedup_key' is required for acknowledge and resolve events");
  }
  if (e.event_action === "trigger") {
    const p = e.payload as Record<string, unknown> | undefined;
    if (typeof p !== "object" || p === null || Array.isArray(p))
      errors.push("'payload' is missing or not an object");
    else {
      if (typeof p.summary !== "string" || p.summary === "")
        errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024)
        errors.push("Length of 'payload.summary' is too long (maximum is 1024 characters)");
      if (typeof p.source !== "string" || p.source === "")
        errors.push("'payload.source' is missing or blank");
      if (typeof p.severity !== "string" || !SEVERITIES.includes(p.severity)) {
        errors.push("'payload.severity' is invalid (must be one of critical, error, warning, info)");
      }
      if (
        p.custom_details !== undefined &&
        (typeof p.custom_details !== "object" || p.custom_details === null)
      ) {
        errors.push("'payload.custom_details' must be an object");
      }
      if (
        p.timestamp !== undefined &&
        (typeof p.timestamp !== "string" || Number.isNaN(Date.parse(p.timestamp)))
      ) {
        errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
      }
    }
  }
  return errors;
}
