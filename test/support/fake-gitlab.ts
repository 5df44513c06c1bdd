// A stand-in GitLab REST API v4 on a real HTTP server, as docs.gitlab.com documents it (and Ci::CreateCommitStatusService
// implements it):
// - every call needs `PRIVATE-TOKEN: <token>` (or `Authorization: Bearer <token>`), else 401 {"message": "401
//   Unauthorized"}; the project is its id or URL-encoded path, else 404 {"message": "404 Project Not Found"}.
// - POST /projects/:id/statuses/:sha {state (required: pending, running, success, failed, canceled, skipped), ref,
//   name or context (default "default"), target_url (http/https), description (≤ 255)}: an unknown commit is 404
//   "404 Commit Not Found", a commit on no branch without `ref` 404 "404 References for commit Not Found", a bad
//   parameter 400 {"error": "state does not have a valid value"} or {"message": {field: [...]}}. The status is an
//   external job per (commit, ref, name): a pending or running one is updated, else a new one is made, and the
//   state machine applies (pending: enqueue from created; running: enqueue, then run from pending; success/failed/
//   canceled from created, pending or running): an impossible transition is 400 {"message": "Cannot transition
//   status via :run from :running (Reason(s): …)"}. Success: 201 with the status.
// - GET /projects/:id/repository/commits/:sha/merge_requests; POST /projects/:id/merge_requests/:iid/notes {body
//   (required, ≤ 1 000 000)}: 201.
// It can be told to fail the next /projects/ request (status, Retry-After, an error echoing the token) or to answer
// it late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export type FakeGitLabFailure = QueuedFailure<{ message?: string }>;

export interface FakeGitLabProject {
  id: number;
  /** Commit SHA → the branches containing it. */
  commits: Record<string, string[]>;
  /** Commit SHA → iids of its merge requests. */
  mergeRequests?: Record<string, number[]>;
}

export interface FakeGitLabStatus {
  project: string;
  sha: string;
  /** The job's state after this request. */
  state: string;
  body: Record<string, unknown>;
  raw: string;
}

const STATES = ["pending", "running", "success", "failed", "canceled", "skipped"];
const EVENT: Record<string, string> = {
  pending: "enqueue",
  running: "run",
  success: "success",
  failed: "drop",
  canceled: "cancel",
  skipped: "skip",
};
/** From which job states each requested state can be reached. */
const FROM: Record<string, string[]> = {
  pending: ["created", "skipped"],
  running: ["pending"],
  success: ["created", "pending", "running"],
  failed: ["created", "pending", "running"],
  canceled: ["created", "pending", "running"],
  skipped: ["created", "pending"],
};

interface Job {
  id: number;
  project: string;
  sha: string;
  ref: string;
  name: string;
  state: string;
}

export class FakeGitLab extends StandInApi<FakeGitLabFailure> {
  /** Accepted status requests, in order (one per job change). */
  readonly statuses: FakeGitLabStatus[] = [];
  /** Refused transitions (the 400 "Cannot transition status …" answers). */
  readonly refusedTransitions: string[] = [];
  /**
   * Every status request after which the job is in the state asked for, in order: the accepted ones, and those
   * refused because the job already was in that state (what a client may count as delivered).
   */
  readonly settled: FakeGitLabStatus[] = [];
  readonly notes: { project: string; iid: number; body: string; raw: string }[] = [];
  readonly received: string[] = [];
  readonly jobs: Job[] = [];
  readonly #token: string;
  readonly #projects: Map<string, FakeGitLabProject>;
  #nextId = 1;

  private constructor(server: FakeHttpServer, token: string, projects: Record<string, FakeGitLabProject>) {
    super(server);
    this.#token = token;
    this.#projects = new Map(Object.entries(projects));
  }

  static async start(opts: {
    token: string;
    projects: Record<string, FakeGitLabProject>;
  }): Promise<FakeGitLab> {
    return StandInApi.serve((server) => new FakeGitLab(server, opts.token, opts.projects));
  }

  /** The API root (as baseURL). */
  get apiURL(): string {
    return `${this.server.url}/api/v4`;
  }

  reset(): void {
    for (const a of [this.statuses, this.refusedTransitions, this.notes, this.received, this.jobs])
      a.length = 0;
    this.failures.length = 0;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
    };
    const message = (status: number, m: unknown, headers: Record<string, string> = {}) =>
      reply(status, { message: m }, headers);
    // the project id is one encoded path segment ("group%2Fproject")
    const m = /^\/api\/v4\/projects\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!m) return message(404, "404 Not Found");
    this.received.push(raw);
    const failed = await answerQueuedFailure(this.failures, {
      late: () => message(504, "Gateway Timeout"),
      failed: (f, headers) => message(f.status, f.message ?? `failed with ${f.status}`, headers),
    });
    if (failed) return;
    const bearer = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    if (req.headers["private-token"] !== this.#token && bearer !== this.#token)
      return message(401, "401 Unauthorized");
    const id = decodeURIComponent(m[1]!);
    const entry = [...this.#projects].find(([path, p]) => path === id || String(p.id) === id);
    if (!entry) return message(404, "404 Project Not Found");
    const [project, p] = entry;
    const rest = m[2]!;
    let doc: Record<string, unknown> = {};
    if (method === "POST") {
      const type = String(req.headers["content-type"] ?? "");
      try {
        if (type.startsWith("application/json")) doc = JSON.parse(raw || "{}") as Record<string, unknown>;
        else if (type.startsWith("application/x-www-form-urlencoded"))
          doc = Object.fromEntries(new URLSearchParams(raw));
        if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an object");
      } catch {
        return reply(400, {
          error: "The provided content-type is not supported or the body is not valid JSON",
        });
      }
    }

    let r = /^\/statuses\/([^/]+)$/.exec(rest);
    if (r && method === "POST") {
      const sha = decodeURIComponent(r[1]!);
      if (doc.state === undefined) return reply(400, { error: "state is missing" });
      if (typeof doc.state !== "string" || !STATES.includes(doc.state))
        return reply(400, { error: "state does not have a valid value" });
      for (const k of ["ref", "name", "context", "target_url", "description"])
        if (doc[k] !== undefined && typeof doc[k] !== "string")
          return reply(400, { error: `${k} is invalid` });
      const branches = p.commits[sha];
      if (!branches) return message(404, "404 Commit Not Found");
      const ref = (doc.ref as string | undefined) ?? branches[0];
      if (!ref) return message(404, "404 References for commit Not Found");
      const name = (doc.name as string | undefined) ?? (doc.context as string | undefined) ?? "default";
      if (name.length > 255) return message(400, { name: ["is too long (maximum is 255 characters)"] });
      if (typeof doc.description === "string" && Array.from(doc.description).length > 255)
        return message(400, { description: ["is too long (maximum is 255 characters)"] });
      if (typeof doc.target_url === "string" && !/^https?:\/\/[^\s]+$/.test(doc.target_url))
        return message(400, { target_url: ["is blocked: Only allowed schemes are http, https"] });
      const state = doc.state;
      let job = this.jobs.find(
        (j) =>
          j.project === project &&
          j.sha === sha &&
          j.ref === ref &&
          j.name === name &&
          (j.state === "pending" || j.state === "running"),
      );
      const created = !job;
      job ??= { id: this.#nextId++, project, sha, ref, name, state: "created" };
      // "running" first enqueues (quietly, when it cannot), then runs
      let from = job.state;
      if (state === "running" && FROM.pending!.includes(from)) from = "pending";
      if (!FROM[state]!.includes(from)) {
        const why = `Cannot transition status via :${EVENT[state]} from :${from} (Reason(s): Status cannot transition via "${EVENT[state]}")`;
        this.refusedTransitions.push(why);
        if (from === state) this.settled.push({ project, sha, state, body: doc, raw });
        return message(400, why);
      }
      job.state = state;
      if (created) this.jobs.push(job);
      this.statuses.push({ project, sha, state, body: doc, raw });
      this.settled.push({ project, sha, state, body: doc, raw });
      return reply(201, {
        id: job.id,
        sha,
        ref,
        status: state,
        name,
        target_url: doc.target_url ?? null,
        description: doc.description ?? null,
        created_at: new Date().toISOString(),
        allow_failure: false,
      });
    }
    r = /^\/repository\/commits\/([^/]+)\/merge_requests$/.exec(rest);
    if (r && method === "GET") {
      const sha = decodeURIComponent(r[1]!);
      if (!p.commits[sha]) return message(404, "404 Commit Not Found");
      return reply(
        200,
        (p.mergeRequests?.[sha] ?? []).map((iid) => ({
          id: 1000 + iid,
          iid,
          project_id: p.id,
          state: "opened",
        })),
      );
    }
    r = /^\/merge_requests\/(\d+)\/notes$/.exec(rest);
    if (r && method === "POST") {
      const iid = Number(r[1]);
      if (!Object.values(p.mergeRequests ?? {}).some((iids) => iids.includes(iid)))
        return message(404, "404 Not found");
      if (doc.body === undefined) return reply(400, { error: "body is missing" });
      if (typeof doc.body !== "string" || !doc.body.trim()) return message(400, { note: ["can't be blank"] });
      if (Array.from(doc.body).length > 1_000_000)
        return message(400, { note: ["is too long (maximum is 1000000 characters)"] });
      this.notes.push({ project, iid, body: doc.body, raw });
      return reply(201, {
        id: this.#nextId++,
        body: doc.body,
        noteable_iid: iid,
        noteable_type: "MergeRequest",
      });
    }
    return message(404, "404 Not Found");
  }
}
