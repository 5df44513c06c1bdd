// A stand-in GitHub REST API for a GitHub App on a real HTTP server, validating requests as docs.github.com documents
// them (API version 2022-11-28):
// - POST /app/installations/{id}/access_tokens with `Authorization: Bearer <JWT>`: the JWT must be RS256, signed by
//   the App's key (verified with its public key), iss = the App id, iat not in the future (60 s skew), exp in the
//   future and at most 10 minutes after iat; else 401 {"message": "A JSON web token could not be decoded" | "…"}.
//   An unknown installation is 404. Success: 201 {token, expires_at (1 h), permissions, repository_selection}.
// - Every /repos/ call needs `Authorization: Bearer|token <installation token>` of an unexpired token, else 401
//   {"message": "Bad credentials"}; an unknown repository is 404 {"message": "Not Found"}.
// - POST /repos/{o}/{r}/statuses/{sha} {state: error|failure|pending|success (required), target_url, description
//   (≤ 140), context (default "default")}: 422 "Validation Failed" with errors[] for a bad field, 422 "No commit
//   found for SHA: …" for an unknown commit, 422 after 1000 statuses per sha and context; 201 with the status.
// - GET/POST /repos/{o}/{r}/deployments (ref required and known, environment default "production",
//   required_contexts string[], auto_merge/transient_environment booleans), POST …/deployments/{id}/statuses
//   (state error|failure|inactive|in_progress|queued|pending|success), GET …/commits/{sha}/pulls,
//   GET/POST …/issues/{n}/comments (body ≤ 65536), PATCH …/issues/comments/{id}, POST …/check-runs (name and a known
//   head_sha required; status queued|in_progress|completed; conclusion action_required|cancelled|failure|neutral|
//   success|skipped|stale|timed_out, required with status completed or completed_at; ISO 8601 times; output with
//   title and summary ≤ 65535), POST …/dispatches (event_type ≤ 100 characters, client_payload an object of at most
//   10 top-level keys; 204).
// Malformed JSON is 400 {"message": "Problems parsing JSON"}. Error bodies have GitHub's shape {message, errors?,
// documentation_url, status}. It can be told to fail the next /repos/ request (status, Retry-After, an error echoing
// a secret) or to answer it late and drop it.
import { createPublicKey, type KeyObject, randomBytes, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export type FakeGitHubFailure = QueuedFailure<{ message?: string }>;

export interface FakeGitHubRepo {
  /** Known commit SHAs (and branch names deployments may use as ref). */
  commits: string[];
  /** Pull requests by commit SHA. */
  pulls?: Record<string, number[]>;
}

export interface FakeGitHubRequest {
  repository: string;
  method: string;
  path: string;
  body: Record<string, unknown>;
  raw: string;
}

const DOCS = "https://docs.github.com/rest";
const COMMIT_STATES = ["error", "failure", "pending", "success"];
const DEPLOYMENT_STATES = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

export class FakeGitHub extends StandInApi<FakeGitHubFailure> {
  /** Accepted commit statuses, in order. */
  readonly statuses: (FakeGitHubRequest & { sha: string })[] = [];
  readonly deployments: {
    id: number;
    repository: string;
    ref: string;
    sha: string;
    environment: string;
    body: Record<string, unknown>;
  }[] = [];
  readonly deploymentStatuses: (FakeGitHubRequest & { deploymentId: number })[] = [];
  readonly comments: { id: number; repository: string; issue: number; body: string }[] = [];
  readonly checkRuns: FakeGitHubRequest[] = [];
  readonly dispatches: FakeGitHubRequest[] = [];
  /** Every accepted notification-carrying write (statuses, deployments, deployment statuses, comments), in order. */
  readonly accepted: FakeGitHubRequest[] = [];
  /** Every /repos/ request body received (accepted or not). */
  readonly received: string[] = [];
  tokensIssued = 0;
  readonly jwtRejections: string[] = [];
  readonly #appId: string;
  readonly #installationId: string;
  readonly #publicKey: KeyObject;
  readonly #repos: Map<string, FakeGitHubRepo>;
  readonly #tokens = new Map<string, number>();
  #tokenTtlMs: number;
  #nextId = 1;

  private constructor(
    server: FakeHttpServer,
    opts: {
      appId: string;
      installationId: string;
      publicKey: string | KeyObject;
      repos: Record<string, FakeGitHubRepo>;
      tokenTtlMs?: number;
    },
  ) {
    super(server);
    this.#appId = opts.appId;
    this.#installationId = opts.installationId;
    this.#publicKey = typeof opts.publicKey === "string" ? createPublicKey(opts.publicKey) : opts.publicKey;
    this.#repos = new Map(Object.entries(opts.repos));
    this.#tokenTtlMs = opts.tokenTtlMs ?? 3_600_000;
  }

  static async start(opts: {
    appId: string;
    installationId: string;
    publicKey: string | KeyObject;
    repos: Record<string, FakeGitHubRepo>;
    tokenTtlMs?: number;
  }): Promise<FakeGitHub> {
    return StandInApi.serve((server) => new FakeGitHub(server, opts));
  }

  /** The API root (as enterpriseBaseURL). */
  get apiURL(): string {
    return this.server.url;
  }

  /** Revokes every installation token issued so far (the next call with one is 401). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  reset(): void {
    for (const a of [
      this.statuses,
      this.checkRuns,
      this.dispatches,
      this.deployments,
      this.deploymentStatuses,
      this.comments,
      this.accepted,
      this.received,
    ])
      a.length = 0;
    this.failures.length = 0;
    this.jwtRejections.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(json));
    };
    const error = (
      status: number,
      message: string,
      extra: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) => reply(status, { message, ...extra, documentation_url: DOCS, status: String(status) }, headers);
    const invalid = (resource: string, field: string, message: string) =>
      error(422, "Validation Failed", { errors: [{ resource, code: "custom", field, message }] });

    const tokenPath = /^\/app\/installations\/([^/]+)\/access_tokens$/.exec(path);
    if (tokenPath) {
      if (method !== "POST") return error(404, "Not Found");
      const why = this.#jwtProblem(String(req.headers.authorization ?? ""));
      if (why) {
        this.jwtRejections.push(why);
        return error(401, why);
      }
      if (tokenPath[1] !== this.#installationId) return error(404, "Not Found");
      const token = `ghs_${randomBytes(18).toString("base64url")}`;
      const expiresAt = Date.now() + this.#tokenTtlMs;
      this.#tokens.set(token, expiresAt);
      this.tokensIssued++;
      return reply(201, {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { statuses: "write", deployments: "write", pull_requests: "write", issues: "write" },
        repository_selection: "all",
      });
    }

    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
    if (!m) return error(404, "Not Found");
    this.received.push(raw);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => error(504, "We couldn't respond to your request in time."),
      failed: (f, headers) => error(f.status, f.message ?? `failed with ${f.status}`, {}, headers),
    });
    if (failed) return;
    const auth = /^(?:Bearer|token) (\S+)$/i.exec(String(req.headers.authorization ?? ""));
    const expires = auth ? this.#tokens.get(auth[1]!) : undefined;
    if (expires === undefined || expires <= Date.now()) return error(401, "Bad credentials");
    const repository = `${m[1]}/${m[2]}`;
    const repo = this.#repos.get(repository);
    if (!repo) return error(404, "Not Found");
    const rest = m[3]!;
    let doc: Record<string, unknown> = {};
    if (method === "POST" || method === "PATCH") {
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json") && raw !== "")
        return error(415, "Unsupported 'Content-Type' header");
      try {
        const parsed = JSON.parse(raw || "{}") as unknown;
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        doc = parsed as Record<string, unknown>;
      } catch {
        return error(400, "Problems parsing JSON");
      }
    }
    const record = (): FakeGitHubRequest => ({ repository, method, path, body: doc, raw });
    const isStringOrAbsent = (v: unknown) => v === undefined || v === null || typeof v === "string";

    let r = /^\/statuses\/([^/]+)$/.exec(rest);
    if (r && method === "POST") {
      const sha = decodeURIComponent(r[1]!);
      if (typeof doc.state !== "string" || !COMMIT_STATES.includes(doc.state))
        return invalid("Status", "state", "state is not included in the list");
      for (const k of ["target_url", "description", "context"])
        if (!isStringOrAbsent(doc[k])) return invalid("Status", k, `${k} is not a string`);
      if (typeof doc.description === "string" && Array.from(doc.description).length > 140)
        return invalid("Status", "description", "description is too long (maximum is 140 characters)");
      if (!repo.commits.includes(sha)) return error(422, `No commit found for SHA: ${sha}`);
      const context = typeof doc.context === "string" && doc.context ? doc.context : "default";
      if (
        this.statuses.filter((s) => s.sha === sha && (s.body.context ?? "default") === context).length >= 1000
      )
        return invalid(
          "Status",
          "context",
          "This SHA and context has reached the maximum number of statuses.",
        );
      const s = { ...record(), sha };
      this.statuses.push(s);
      this.accepted.push(s);
      return reply(201, {
        id: this.#nextId++,
        state: doc.state,
        description: doc.description ?? null,
        target_url: doc.target_url ?? null,
        context,
        created_at: new Date().toISOString(),
      });
    }
    if (rest === "/deployments" && method === "GET") {
      const ref = url.searchParams.get("ref");
      const env = url.searchParams.get("environment");
      const list = this.deployments
        .filter(
          (d) =>
            d.repository === repository &&
            (!ref || d.ref === ref || d.sha === ref) &&
            (!env || d.environment === env),
        )
        .reverse()
        .map((d) => ({ id: d.id, ref: d.ref, sha: d.sha, environment: d.environment }));
      return reply(200, list);
    }
    if (rest === "/deployments" && method === "POST") {
      if (typeof doc.ref !== "string" || !doc.ref) return invalid("Deployment", "ref", "ref is missing");
      if (!isStringOrAbsent(doc.environment))
        return invalid("Deployment", "environment", "environment is not a string");
      for (const k of ["auto_merge", "transient_environment", "production_environment"])
        if (doc[k] !== undefined && typeof doc[k] !== "boolean")
          return error(
            422,
            `Invalid request.\n\nFor 'properties/${k}', ${JSON.stringify(doc[k])} is not a boolean.`,
          );
      if (
        doc.required_contexts !== undefined &&
        !(Array.isArray(doc.required_contexts) && doc.required_contexts.every((c) => typeof c === "string"))
      )
        return error(
          422,
          "Invalid request.\n\nFor 'properties/required_contexts', is not an array of strings.",
        );
      if (!repo.commits.includes(doc.ref)) return error(422, `No ref found for: ${doc.ref}`);
      const d = {
        id: this.#nextId++,
        repository,
        ref: doc.ref,
        sha: doc.ref,
        environment: typeof doc.environment === "string" && doc.environment ? doc.environment : "production",
        body: doc,
      };
      this.deployments.push(d);
      this.accepted.push(record());
      return reply(201, { id: d.id, ref: d.ref, sha: d.sha, environment: d.environment });
    }
    r = /^\/deployments\/(\d+)\/statuses$/.exec(rest);
    if (r && method === "POST") {
      const id = Number(r[1]);
      if (!this.deployments.some((d) => d.id === id && d.repository === repository))
        return error(404, "Not Found");
      if (typeof doc.state !== "string" || !DEPLOYMENT_STATES.includes(doc.state))
        return invalid("DeploymentStatus", "state", "state is not included in the list");
      for (const k of ["log_url", "environment_url", "description", "environment"])
        if (!isStringOrAbsent(doc[k])) return invalid("DeploymentStatus", k, `${k} is not a string`);
      if (typeof doc.description === "string" && Array.from(doc.description).length > 140)
        return invalid(
          "DeploymentStatus",
          "description",
          "description is too long (maximum is 140 characters)",
        );
      const s = { ...record(), deploymentId: id };
      this.deploymentStatuses.push(s);
      this.accepted.push(s);
      return reply(201, { id: this.#nextId++, state: doc.state });
    }
    r = /^\/commits\/([^/]+)\/pulls$/.exec(rest);
    if (r && method === "GET") {
      const sha = decodeURIComponent(r[1]!);
      if (!repo.commits.includes(sha)) return error(422, `No commit found for SHA: ${sha}`);
      return reply(
        200,
        (repo.pulls?.[sha] ?? []).map((n) => ({ number: n, state: "open" })),
      );
    }
    r = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (r) {
      const issue = Number(r[1]);
      if (!Object.values(repo.pulls ?? {}).some((ns) => ns.includes(issue))) return error(404, "Not Found");
      if (method === "GET") {
        const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30) || 30);
        const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
        const all = this.comments.filter((c) => c.repository === repository && c.issue === issue);
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage).map((c) => ({ id: c.id, body: c.body })),
        );
      }
      if (method === "POST") {
        const problem = commentBodyProblem(doc.body);
        if (problem) return invalid("IssueComment", "body", problem);
        const c = { id: this.#nextId++, repository, issue, body: doc.body as string };
        this.comments.push(c);
        this.accepted.push(record());
        return reply(201, { id: c.id, body: c.body });
      }
    }
    r = /^\/issues\/comments\/(\d+)$/.exec(rest);
    if (r && method === "PATCH") {
      const c = this.comments.find((x) => x.id === Number(r![1]) && x.repository === repository);
      if (!c) return error(404, "Not Found");
      const problem = commentBodyProblem(doc.body);
      if (problem) return invalid("IssueComment", "body", problem);
      c.body = doc.body as string;
      this.accepted.push(record());
      return reply(200, { id: c.id, body: c.body });
    }
    if (rest === "/check-runs" && method === "POST") {
      const problem = checkRunProblem(doc);
      if (problem) return invalid("CheckRun", problem.field, problem.message);
      if (!repo.commits.includes(doc.head_sha as string))
        return error(422, `No commit found for SHA: ${String(doc.head_sha)}`);
      const c = record();
      this.checkRuns.push(c);
      this.accepted.push(c);
      return reply(201, {
        id: this.#nextId++,
        head_sha: doc.head_sha,
        name: doc.name,
        status: doc.status ?? "queued",
        conclusion: doc.conclusion ?? null,
        external_id: doc.external_id ?? "",
      });
    }
    if (rest === "/dispatches" && method === "POST") {
      if (typeof doc.event_type !== "string" || !doc.event_type)
        return invalid("Repository", "event_type", "event_type wasn't supplied");
      if (Array.from(doc.event_type).length > 100)
        return invalid("Repository", "event_type", "event_type is too long (maximum is 100 characters)");
      const payload = doc.client_payload;
      if (
        payload !== undefined &&
        (payload === null || typeof payload !== "object" || Array.isArray(payload))
      )
        return error(422, "Invalid request.\n\nFor 'properties/client_payload', is not an object.");
      if (payload && Object.keys(payload).length > 10)
        return error(422, "Invalid request.\n\nNo more than 10 properties are allowed; 11 were supplied.");
      const d = record();
      this.dispatches.push(d);
      this.accepted.push(d);
      res.writeHead(204);
      res.end();
      return;
    }
    return error(404, "Not Found");
  }

  /** Why GitHub would refuse this App JWT, or undefined. */
  #jwtProblem(authorization: string): string | undefined {
    const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization);
    if (!m) return "A JSON web token could not be decoded";
    let header: { alg?: unknown };
    let payload: { iat?: unknown; exp?: unknown; iss?: unknown };
    try {
      header = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as typeof header;
      payload = JSON.parse(Buffer.from(m[2]!, "base64url").toString("utf8")) as typeof payload;
    } catch {
      return "A JSON web token could not be decoded";
    }
    if (header.alg !== "RS256") return "A JSON web token could not be decoded";
    const ok = verify(
      "sha256",
      Buffer.from(`${m[1]}.${m[2]}`),
      this.#publicKey,
      Buffer.from(m[3]!, "base64url"),
    );
    if (!ok) return "A JSON web token could not be decoded";
    if (String(payload.iss) !== this.#appId) return `Integration not found`;
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== "number" || typeof payload.exp !== "number")
      return "Missing 'issued at' or 'expiration time' claim ('iat', 'exp')";
    if (payload.iat > now + 60)
      return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
    if (payload.exp <= now)
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    if (payload.exp - payload.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
    return undefined;
  }
}

const CHECK_STATUSES = ["queued", "in_progress", "completed"];
const CHECK_CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkRunProblem(doc: Record<string, unknown>): { field: string; message: string } | undefined {
  if (typeof doc.name !== "string" || !doc.name) return { field: "name", message: "name wasn't supplied" };
  if (typeof doc.head_sha !== "string" || !doc.head_sha)
    return { field: "head_sha", message: "head_sha wasn't supplied" };
  if (doc.status !== undefined && !CHECK_STATUSES.includes(String(doc.status)))
    return { field: "status", message: "status is not included in the list" };
  if (doc.conclusion !== undefined && !CHECK_CONCLUSIONS.includes(String(doc.conclusion)))
    return { field: "conclusion", message: "conclusion is not included in the list" };
  if ((doc.status === "completed" || doc.completed_at !== undefined) && doc.conclusion === undefined)
    return { field: "conclusion", message: "conclusion can't be blank when status is completed" };
  for (const k of ["started_at", "completed_at"])
    if (doc[k] !== undefined && !(typeof doc[k] === "string" && ISO_8601.test(doc[k])))
      return { field: k, message: `${k} is not a valid ISO 8601 timestamp` };
  if (doc.output !== undefined) {
    const o = doc.output as Record<string, unknown> | null;
    if (!o || typeof o !== "object" || typeof o.title !== "string" || typeof o.summary !== "string")
      return { field: "output", message: "output needs a title and a summary" };
    for (const k of ["summary", "text"])
      if (typeof o[k] === "string" && Array.from(o[k] as string).length > 65_535)
        return { field: `output.${k}`, message: `${k} is too long (maximum is 65535 characters)` };
  }
  return undefined;
}

function commentBodyProblem(body: unknown): string | undefined {
  if (typeof body !== "string" || body === "") return "body wasn't supplied";
  if (Array.from(body).length > 65_536) return "Body is too long (maximum is 65536 characters)";
  return undefined;
}
