// GitLab sink: sends what gitlab-request.ts builds with PRIVATE-TOKEN: the commit status, then a note on each merge
// request of the commit. GitLab keeps one external job per (pipeline, ref, name) while it is pending or running: a
// pending/running status posted again is refused ("Cannot transition status via :run from :running"); that answer
// for the state asked for means the job already is in it, so it counts as sent (a retry after a lost answer, or
// "running" at each step of a canary). 409 (another update of the commit's statuses in progress), 429 (Retry-After
// honoured), 5xx, network errors and timeouts are transient; other 4xx permanent, with GitLab's message. A retry
// repeats the delivery: the status is idempotent as above; a merge request note can be posted twice.
import type { Dispatcher } from "undici";
import { deliveryErrorForStatus, snippet } from "../delivery-errors.ts";
import { type HttpAnswer, type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildGitlabRequests, type GitLabRequests, gitlabApiRoot } from "./gitlab-request.ts";
import type { GitLabServiceConfig } from "./gitlab-types.ts";
import { gitlabWhere } from "./gitlab-wire.ts";

export const GITLAB_TIMEOUT_MS = 15_000;
/** Bound on the merge requests of a commit that get a note. */
const MAX_MERGE_REQUESTS = 100;

export type GitLabSinkOptions = HttpSinkOptions;

/** GitLab's error text: {"message": "…"}, {"message": {field: ["…"]}}, or Grape's {"error": "…"}. */
export function gitlabErrorDetail(text: string): string {
  let body: { message?: unknown; error?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return snippet(text);
  }
  if (typeof body.message === "string") return snippet(body.message);
  if (typeof body.error === "string") return snippet(body.error);
  if (body.message && typeof body.message === "object")
    return snippet(
      Object.entries(body.message as Record<string, unknown>)
        .slice(0, 5)
        .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(", ") : String(v)}`)
        .join("; "),
    );
  return snippet(text);
}

/** Whether GitLab refused a transition because the job already is in `state` (pending or running). */
export function alreadyInState(detail: string, state: string): boolean {
  const m = /Cannot transition status via :\w+ from :(\w+)/.exec(detail);
  return m !== null && m[1] === state;
}

export class GitLabSink implements Sink<GitLabServiceConfig> {
  readonly type = "gitlab" as const;
  readonly #opts: GitLabSinkOptions;

  constructor(opts: GitLabSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<GitLabServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = gitlabWhere(service, recipient);
    const req = buildGitlabRequests(recipient, delivery.notification, where);
    let ref: string | undefined;
    if (req.status) ref = await this.#status(delivery, where, req.status);
    if (req.mergeRequestComment) await this.#notes(delivery, where, req.mergeRequestComment);
    this.#opts.logger.debug(
      { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient, sha: req.sha },
      "gitlab notification sent",
    );
    return ref !== undefined ? { ref } : {};
  }

  async #status(
    delivery: Delivery<GitLabServiceConfig>,
    where: string,
    status: NonNullable<GitLabRequests["status"]>,
  ): Promise<string | undefined> {
    const a = await this.#api(delivery, where, "POST", status.path, status.body);
    if (a.statusCode === 201 || a.statusCode === 200) {
      const id = (parse(a.text) as { id?: unknown } | undefined)?.id;
      return typeof id === "number" || typeof id === "string" ? String(id) : undefined;
    }
    if (a.statusCode === 400 && alreadyInState(gitlabErrorDetail(a.text), status.body.state))
      return undefined;
    throw failure(`${where}: commit status`, a);
  }

  async #notes(
    delivery: Delivery<GitLabServiceConfig>,
    where: string,
    c: NonNullable<GitLabRequests["mergeRequestComment"]>,
  ): Promise<void> {
    const list = await this.#api(
      delivery,
      where,
      "GET",
      `${c.mergeRequestsPath}?per_page=${MAX_MERGE_REQUESTS}`,
    );
    if (list.statusCode !== 200) throw failure(`${where}: merge requests of the commit`, list);
    const mrs = parse(list.text);
    const iids = (Array.isArray(mrs) ? mrs : [])
      .map((mr) => (mr as { iid?: unknown })?.iid)
      .filter((iid): iid is number => typeof iid === "number" && Number.isInteger(iid) && iid > 0)
      .slice(0, MAX_MERGE_REQUESTS);
    for (const iid of iids) {
      const a = await this.#api(delivery, where, "POST", c.notesPath.replace("{iid}", String(iid)), {
        body: c.body,
      });
      if (a.statusCode !== 201) throw failure(`${where}: note on merge request !${iid}`, a);
    }
  }

  #api(
    delivery: Delivery<GitLabServiceConfig>,
    where: string,
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const service = delivery.service;
    const headers: Record<string, string> = { "private-token": service.token };
    if (body !== undefined) headers["content-type"] = "application/json";
    return sendHttpRequest(
      delivery,
      `${where}: ${method} ${path.split("?")[0]}`,
      {
        method,
        url: `${gitlabApiRoot(service)}${path}`,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        timeoutMs: this.#opts.timeoutMs ?? GITLAB_TIMEOUT_MS,
        insecureSkipVerify: service.insecureSkipVerify === true,
      },
      this.#opts,
    );
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function failure(what: string, a: HttpAnswer): DeliveryError {
  const detail = gitlabErrorDetail(a.text);
  if (a.statusCode === 409)
    return new DeliveryError(`${what} answered HTTP 409: ${detail}`, { transient: true, code: "conflict" });
  return deliveryErrorForStatus(what, a.statusCode, { retryAfter: a.headers["retry-after"], detail });
}
