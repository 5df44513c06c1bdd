// GitHub sink: authenticates as the App's installation (github-app-auth.ts) and sends what github-request.ts
// builds: the commit status, the deployment and its status, the pull request comments, the check run, the repository
// dispatch, in that order (upstream's).
// A status refused because the commit and context reached GitHub's 1000 statuses is logged and counts as sent
// (upstream ignores that 422 too); other 4xx are permanent, rate limits/5xx/timeouts transient (github-errors.ts).
// A token GitHub refuses (401) is dropped and fetched again once. A retry repeats the whole delivery: a commit status
// or a deployment status added again is harmless (the latest wins), the deployment is found again by ref and
// environment, and a tagged comment is updated in place; an untagged comment, a check run or a dispatch can be sent
// twice.
import type { Dispatcher } from "undici";
import { type HttpAnswer, type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sink.ts";
import { InstallationTokens } from "./github-app-auth.ts";
import { githubErrorFor } from "./github-errors.ts";
import { buildGithubRequests, type GitHubRequests, githubApiRoot } from "./github-request.ts";
import type { GitHubServiceConfig } from "./github-types.ts";
import { githubWhere } from "./github-wire.ts";

export const GITHUB_TIMEOUT_MS = 15_000;
const PAGE = 100;
/** Bound on the comment pages read to find a tagged comment, and on the pull requests commented. */
const MAX_PAGES = 10;
/** How many recent JWTs/tokens error details are scrubbed of. */
const ISSUED_KEPT = 32;

export type GitHubSinkOptions = HttpSinkOptions;

interface Call {
  delivery: Delivery<GitHubServiceConfig>;
  where: string;
  api: string;
  tokenKey: string;
}

export class GitHubSink implements Sink<GitHubServiceConfig> {
  readonly type = "github" as const;
  readonly #opts: GitHubSinkOptions;
  readonly #tokens = new InstallationTokens();
  /** Every JWT/token handed out, scrubbed from error details (GitHub does not echo them; a proxy might). */
  readonly #issued = new Set<string>();

  constructor(opts: GitHubSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<GitHubServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = githubWhere(service, recipient);
    const req = buildGithubRequests(recipient, delivery.notification, where);
    const api = githubApiRoot(service);
    const call: Call = { delivery, where, api, tokenKey: InstallationTokens.keyOf(api, service) };
    let ref: string | undefined;
    if (req.status) ref = await this.#status(call, req.status);
    if (req.deployment) ref = (await this.#deployment(call, req.deployment)) ?? ref;
    if (req.pullRequestComment) await this.#comments(call, req.pullRequestComment);
    if (req.checkRun) {
      const a = await this.#api(call, "POST", req.checkRun.path, req.checkRun.body);
      if (a.statusCode !== 201) throw this.#error(`${where}: check run`, a);
      ref = idOf(a) ?? ref;
    }
    if (req.repositoryDispatch) {
      const a = await this.#api(call, "POST", req.repositoryDispatch.path, req.repositoryDispatch.body);
      if (a.statusCode !== 204) throw this.#error(`${where}: repository dispatch`, a);
    }
    this.#opts.logger.debug(
      { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient, sha: req.sha },
      "github notification sent",
    );
    return ref !== undefined ? { ref } : {};
  }

  async #status(call: Call, status: NonNullable<GitHubRequests["status"]>): Promise<string | undefined> {
    const a = await this.#api(call, "POST", status.path, status.body);
    if (a.statusCode === 201) return idOf(a);
    if (a.statusCode === 422 && /maximum number of statuses/i.test(a.text)) {
      this.#opts.logger.warn(
        { jobId: call.delivery.jobId, service: call.delivery.service.name, context: status.body.context },
        "github: the commit reached 1000 statuses for this context; status not added",
      );
      return undefined;
    }
    throw this.#error(`${call.where}: commit status`, a);
  }

  async #deployment(call: Call, d: NonNullable<GitHubRequests["deployment"]>): Promise<string | undefined> {
    const listed = await this.#api(call, "GET", d.listPath);
    if (listed.statusCode !== 200) throw this.#error(`${call.where}: list deployments`, listed);
    let id = firstId(listed.text);
    if (id === undefined) {
      const created = await this.#api(call, "POST", d.create.path, d.create.body);
      // 202: GitHub merged the default branch into the ref first (auto_merge) and created no deployment yet
      if (created.statusCode !== 201) throw this.#error(`${call.where}: create deployment`, created, 202);
      id = idOf(created);
      if (id === undefined) throw this.#error(`${call.where}: create deployment`, created, 502);
    }
    const a = await this.#api(call, "POST", d.statusPath.replace("{id}", id), d.status);
    if (a.statusCode !== 201) throw this.#error(`${call.where}: deployment status`, a);
    return idOf(a);
  }

  async #comments(call: Call, c: NonNullable<GitHubRequests["pullRequestComment"]>): Promise<void> {
    const pulls = await this.#api(call, "GET", `${c.pullsPath}?per_page=${PAGE}`);
    if (pulls.statusCode !== 200) throw this.#error(`${call.where}: pull requests of the commit`, pulls);
    const base = c.pullsPath.replace(/\/commits\/[^/]+\/pulls$/, "");
    for (const n of numbers(pulls.text).slice(0, PAGE)) {
      const existing = c.marker
        ? await this.#taggedComment(call, `${base}/issues/${n}/comments`, c.marker)
        : undefined;
      const a =
        existing !== undefined
          ? await this.#api(call, "PATCH", `${base}/issues/comments/${existing}`, { body: c.body })
          : await this.#api(call, "POST", `${base}/issues/${n}/comments`, { body: c.body });
      if (a.statusCode !== 200 && a.statusCode !== 201)
        throw this.#error(`${call.where}: comment on pull request #${n}`, a);
    }
  }

  async #taggedComment(call: Call, path: string, marker: string): Promise<string | undefined> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const a = await this.#api(call, "GET", `${path}?per_page=${PAGE}&page=${page}`);
      if (a.statusCode !== 200) throw this.#error(`${call.where}: list comments`, a);
      const comments = jsonArray(a.text) as { id?: unknown; body?: unknown }[];
      const found = comments.find((x) => typeof x?.body === "string" && x.body.includes(marker));
      if (found && (typeof found.id === "number" || typeof found.id === "string")) return String(found.id);
      if (comments.length < PAGE) return undefined;
    }
    return undefined;
  }

  /** One API request with the installation token; a refused cached token is replaced once. */
  async #api(call: Call, method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<HttpAnswer> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token(call);
      const headers: Record<string, string> = {
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        authorization: `Bearer ${token}`,
      };
      if (body !== undefined) headers["content-type"] = "application/json";
      const a = await this.#send(call, `${call.where}: ${method} ${path.split("?")[0]}`, {
        method,
        url: `${call.api}${path}`,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      if (a.statusCode !== 401 || attempt > 0) return a;
      this.#tokens.invalidate(call.tokenKey, token);
    }
  }

  #token(call: Call): Promise<string> {
    const { delivery, where, api } = call;
    return this.#tokens.get(call.tokenKey, delivery.service, async (jwt) => {
      this.#remember(jwt);
      const path = `/app/installations/${delivery.service.installationID}/access_tokens`;
      const a = await this.#send(call, `${where}: installation token`, {
        method: "POST",
        url: `${api}${path}`,
        headers: {
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
          authorization: `Bearer ${jwt}`,
        },
        body: null,
      });
      this.#issued.delete(jwt);
      let json: { token?: unknown; expires_at?: unknown } = {};
      try {
        json = JSON.parse(a.text) as typeof json;
      } catch {
        // classified by the status
      }
      const expiresAtMs = typeof json.expires_at === "string" ? Date.parse(json.expires_at) : Number.NaN;
      if (a.statusCode !== 201 || typeof json.token !== "string" || Number.isNaN(expiresAtMs))
        throw this.#error(`${where}: installation token (App ${delivery.service.appID})`, a, 502, [jwt]);
      this.#remember(json.token);
      return { token: json.token, expiresAtMs };
    });
  }

  #remember(secret: string): void {
    this.#issued.add(secret);
    if (this.#issued.size > ISSUED_KEPT) this.#issued.delete(this.#issued.values().next().value as string);
  }

  #send(
    call: Call,
    where: string,
    spec: {
      method: Dispatcher.HttpMethod;
      url: string;
      headers: Record<string, string>;
      body: string | null;
    },
  ): Promise<HttpAnswer> {
    const service = call.delivery.service;
    return sendHttpRequest(
      call.delivery,
      where,
      {
        ...spec,
        timeoutMs: this.#opts.timeoutMs ?? GITHUB_TIMEOUT_MS,
        insecureSkipVerify: service.insecureSkipVerify === true,
      },
      this.#opts,
    );
  }

  /** The error for an answer; `asStatus` replaces a success status that still is a failure here. */
  #error(what: string, a: HttpAnswer, asStatus?: number, extraSecrets: string[] = []) {
    const answer = asStatus !== undefined && a.statusCode < 300 ? { ...a, statusCode: asStatus } : a;
    return githubErrorFor(what, answer, [...this.#issued, ...extraSecrets], Date.now());
  }
}

function jsonArray(text: string): unknown[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function idOf(a: HttpAnswer): string | undefined {
  try {
    const id = (JSON.parse(a.text) as { id?: unknown }).id;
    return typeof id === "number" || typeof id === "string" ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

const firstId = (text: string): string | undefined => {
  const id = (jsonArray(text)[0] as { id?: unknown } | undefined)?.id;
  return typeof id === "number" || typeof id === "string" ? String(id) : undefined;
};

const numbers = (text: string): number[] =>
  jsonArray(text)
    .map((p) => (p as { number?: unknown })?.number)
    .filter((n): n is number => typeof n === "number" && Number.isInteger(n) && n > 0);
