// A stand-in Prometheus Alertmanager (POST /api/v2/alerts) on a real HTTP server, validating requests as its OpenAPI
// spec (postableAlerts) documents them: a JSON array of alerts, each with labels (a non-empty map of label names
// [a-zA-Z_][a-zA-Z0-9_]* to strings), optional annotations (map of strings), startsAt/endsAt (RFC 3339) and
// generatorURL (a URI) — 400 with a text error otherwise; with auth configured, basic or bearer credentials (401).
// Alerts are kept by their label set, as Alertmanager does: a post updates the alert, endsAt in the past resolves it.
// It can be told to fail the next request (status, Retry-After, an error echoing the credentials) or to answer late
// and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeAmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt?: string;
  status: "firing" | "resolved";
  posts: number;
}

export type FakeAmFailure = QueuedFailure<{ text?: string }>;

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class FakeAlertmanager extends StandInApi<FakeAmFailure> {
  readonly alerts: FakeAmAlert[] = [];
  /** Accepted request bodies, in order. */
  readonly accepted: string[] = [];
  readonly received: string[] = [];
  readonly #auth: string | undefined;

  private constructor(server: FakeHttpServer, auth: string | undefined) {
    super(server);
    this.#auth = auth;
  }

  static async start(
    opts: { bearerToken?: string; basicAuth?: { username: string; password: string } } = {},
  ): Promise<FakeAlertmanager> {
    const auth = opts.basicAuth
      ? `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString("base64")}`
      : opts.bearerToken
        ? `Bearer ${opts.bearerToken}`
        : undefined;
    return StandInApi.serve((server) => new FakeAlertmanager(server, auth));
  }

  /** host:port, as `targets` takes it. */
  get target(): string {
    return new URL(this.server.url).host;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(text);
    };
    const failed = await answerQueuedFailure(this.failures, {
      late: () => reply(503, '"timeout"'),
      failed: (f, headers) => reply(f.status, JSON.stringify(f.text ?? "failed"), headers),
    });
    if (failed) return;
    if (new URL(req.url ?? "/", "http://x").pathname !== "/api/v2/alerts") return reply(404, '"not found"');
    if (req.method !== "POST") return reply(405, '"method not allowed"');
    if (this.#auth && req.headers.authorization !== this.#auth) return reply(401, '"unauthorized"');
    let alerts: unknown;
    try {
      alerts = JSON.parse(raw);
    } catch {
      return reply(400, '"body: invalid JSON"');
    }
    if (!Array.isArray(alerts)) return reply(400, '"body in body must be of type array"');
    for (const [i, a] of (alerts as Record<string, unknown>[]).entries()) {
      const labels = a.labels as Record<string, unknown> | undefined;
      if (!labels || typeof labels !== "object" || Object.keys(labels).length === 0)
        return reply(400, `"${i}.labels in body is required"`);
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL.test(k) || typeof v !== "string")
          return reply(400, `"invalid label set: invalid name \\"${k}\\""`);
      }
      for (const k of ["startsAt", "endsAt"]) {
        if (a[k] !== undefined && Number.isNaN(Date.parse(String(a[k]))))
          return reply(400, `"${i}.${k} in body must be of type date-time"`);
      }
      if (a.generatorURL !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(String(a.generatorURL)))
        return reply(400, `"${i}.generatorURL in body must be of type uri"`);
    }
    this.accepted.push(raw);
    for (const a of alerts as {
      labels: Record<string, string>;
      annotations?: Record<string, string>;
      endsAt?: string;
    }[]) {
      const key = JSON.stringify(Object.entries(a.labels).sort());
      let alert = this.alerts.find((x) => JSON.stringify(Object.entries(x.labels).sort()) === key);
      if (!alert) {
        alert = { labels: a.labels, annotations: a.annotations ?? {}, status: "firing", posts: 0 };
        this.alerts.push(alert);
      }
      alert.posts++;
      alert.annotations = a.annotations ?? {};
      if (a.endsAt) alert.endsAt = a.endsAt;
      alert.status = a.endsAt && Date.parse(a.endsAt) <= Date.now() ? "resolved" : "firing";
    }
    reply(200, "");
  }
}
