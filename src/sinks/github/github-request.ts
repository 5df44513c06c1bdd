// What a GitHub delivery sends (pure), as upstream's Send does it, on the repository named by the recipient
// (extension: "owner/repo") or by the rendered repoURLPath, and the commit of the rendered revisionPath:
// - status: POST /repos/{owner}/{repo}/statuses/{sha} {state, context: label, target_url, description: the
//   message cut to 140 characters};
// - deployment: the first deployment listed for (ref = revision, environment), else POST /repos/…/deployments
//   {ref: reference or revision, environment, required_contexts, auto_merge, transient_environment}; then
//   POST /repos/…/deployments/{id}/statuses {state, log_url, description, environment, environment_url};
// - pullRequestComment: on every pull request of the commit (GET /repos/…/commits/{sha}/pulls), a comment
//   (POST /repos/…/issues/{n}/comments), or with a commentTag the comment carrying "<!-- argocd-notifications
//   <tag> -->" updated (PATCH /repos/…/issues/comments/{id});
// - checkRun: POST /repos/…/check-runs {name, head_sha, external_id: "argocd-notifications", details_url, status,
//   conclusion, started_at, completed_at, output} (a conclusion without a status completes it; a completed run needs
//   a conclusion; times are RFC 3339);
// - repositoryDispatch: POST /repos/…/dispatches {event_type, client_payload (a JSON object)}.
import { truncateChars } from "../../templates/fields.ts";
import type { Notification } from "../../templates/notification.ts";
import { invalidMessage, renderedCommit, unresolvedSource } from "../common/commit-target.ts";
import { gitUrlPathSegments } from "../common/git-url.ts";
import { DeliveryError } from "../sink.ts";
import type { GitHubServiceConfig } from "./github-types.ts";

export const DEFAULT_GITHUB_API = "https://api.github.com";
/** GitHub's bound on status and deployment status descriptions. */
export const GITHUB_DESCRIPTION_MAX = 140;
/** GitHub's bound on a comment body. */
export const GITHUB_COMMENT_MAX = 65_536;
export const COMMIT_STATES = ["error", "failure", "pending", "success"] as const;
export const DEPLOYMENT_STATES = [
  "error",
  "failure",
  "inactive",
  "in_progress",
  "queued",
  "pending",
  "success",
] as const;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

export const githubApiRoot = (service: GitHubServiceConfig) =>
  (service.enterpriseBaseURL || DEFAULT_GITHUB_API).replace(/\/+$/, "");

/** The hidden marker upstream appends to a tagged comment (and looks for to update it). */
export const commentTagMarker = (tag: string) => `<!-- argocd-notifications ${tag} -->`;

export interface Repository {
  owner: string;
  repo: string;
}

function checkedRepository(owner: string | undefined, repo: string | undefined): Repository | undefined {
  return owner && repo && OWNER.test(owner) && REPO.test(repo) && repo !== "." && repo !== ".."
    ? { owner, repo }
    : undefined;
}

/** "owner/repo" as a recipient names it, or undefined. */
export function repositoryOfRecipient(recipient: string): Repository | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(recipient);
  return m ? checkedRepository(m[1], m[2]) : undefined;
}

export function githubRecipientProblem(recipient: string): string | undefined {
  if (recipient === "" || repositoryOfRecipient(recipient)) return undefined;
  return 'a recipient is a repository "owner/repo", or empty to use the template\'s repoURLPath';
}

/**
 * The repository of a git URL, as upstream reads it (the first two path segments without ".git"):
 * https://github.com/o/r(.git), git@github.com:o/r.git, ssh://git@host/o/r, or plain "o/r".
 */
export function repositoryOfUrl(raw: string): Repository | undefined {
  const segments = gitUrlPathSegments(raw);
  return segments ? checkedRepository(segments[0], segments[1]) : undefined;
}

export const CHECK_RUN_STATUSES = ["queued", "in_progress", "completed"] as const;
export const CHECK_RUN_CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
] as const;
/** GitHub's bounds: a check run output's summary and text, a dispatch's event type and payload keys. */
const CHECK_RUN_TEXT_MAX = 65_535;
const EVENT_TYPE_MAX = 100;
const CLIENT_PAYLOAD_KEYS_MAX = 10;
/** upstream's external_id */
const CHECK_RUN_EXTERNAL_ID = "argocd-notifications";

export interface CheckRunBody {
  name: string;
  head_sha: string;
  external_id: string;
  details_url?: string;
  status?: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title: string; summary: string; text?: string };
}

export interface DispatchBody {
  event_type: string;
  client_payload?: Record<string, unknown>;
}

export interface GitHubRequests {
  repository: Repository;
  sha: string;
  status?: { path: string; body: StatusBody };
  deployment?: {
    listPath: string;
    create: { path: string; body: DeploymentBody };
    /** `{id}` stands for the deployment's id. */
    statusPath: string;
    status: DeploymentStatusBody;
  };
  pullRequestComment?: { pullsPath: string; body: string; marker?: string };
  checkRun?: { path: string; body: CheckRunBody };
  repositoryDispatch?: { path: string; body: DispatchBody };
}

export interface StatusBody {
  state: string;
  context?: string;
  target_url?: string;
  description?: string;
}
export interface DeploymentBody {
  ref: string;
  environment: string;
  required_contexts?: string[];
  auto_merge: boolean;
  transient_environment: boolean;
  description?: string;
}
export interface DeploymentStatusBody {
  state: string;
  environment: string;
  log_url?: string;
  environment_url?: string;
  description?: string;
}

export function buildGithubRequests(
  recipient: string,
  notification: Notification,
  where: string,
): GitHubRequests {
  const part = notification.github;
  if (!part) throw invalidMessage(where, "the notification has no github part");
  if (
    !part.status &&
    !part.deployment &&
    !part.pullRequestComment &&
    !part.checkRun &&
    !part.repositoryDispatch
  )
    throw invalidMessage(
      where,
      "the github section has no status, deployment, pullRequestComment, checkRun or repositoryDispatch",
    );
  const problem = githubRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const repository = recipient ? repositoryOfRecipient(recipient) : repositoryOfUrl(part.repoURL);
  if (!repository)
    throw unresolvedSource(where, "github", part.repoURL, {
      noun: "repository",
      recipientForm: "owner/repo",
    });
  const sha = renderedCommit(where, "github", part.revision, {
    isCommit: (v) => /^[\w.-]{1,255}$/.test(v) && v !== "." && v !== "..",
    notCommit: "not a commit",
  });
  const base = `/repos/${repository.owner}/${repository.repo}`;
  const text = notification.message || part.description || "";
  const description = text ? truncateChars(text, GITHUB_DESCRIPTION_MAX) : undefined;
  const out: GitHubRequests = { repository, sha };
  if (part.status) {
    const state = part.status.state;
    if (!(COMMIT_STATES as readonly string[]).includes(state))
      throw invalidMessage(
        where,
        `status.state ${JSON.stringify(truncateChars(state, 40))} is not one of ${COMMIT_STATES.join(", ")}`,
      );
    const body: StatusBody = { state };
    if (part.status.label) body.context = part.status.label;
    if (part.status.targetURL) body.target_url = part.status.targetURL;
    if (description) body.description = description;
    out.status = { path: `${base}/statuses/${sha}`, body };
  }
  if (part.deployment) {
    const d = part.deployment;
    if (!(DEPLOYMENT_STATES as readonly string[]).includes(d.state))
      throw invalidMessage(
        where,
        `deployment.state ${JSON.stringify(truncateChars(d.state, 40))} is not one of ${DEPLOYMENT_STATES.join(", ")}`,
      );
    if (!d.environment) throw invalidMessage(where, "deployment.environment rendered empty");
    const create: DeploymentBody = {
      ref: d.reference || sha,
      environment: d.environment,
      auto_merge: d.autoMerge,
      transient_environment: d.transientEnvironment,
    };
    if (d.requiredContexts) create.required_contexts = d.requiredContexts;
    const status: DeploymentStatusBody = { state: d.state, environment: d.environment };
    if (d.logURL) status.log_url = d.logURL;
    if (d.environmentURL) status.environment_url = d.environmentURL;
    if (description) status.description = description;
    const query = new URLSearchParams({ ref: sha, environment: d.environment });
    out.deployment = {
      listPath: `${base}/deployments?${query}`,
      create: { path: `${base}/deployments`, body: create },
      statusPath: `${base}/deployments/{id}/statuses`,
      status,
    };
  }
  if (part.pullRequestComment) {
    const c = part.pullRequestComment;
    if (!c.content.trim()) throw invalidMessage(where, "pullRequestComment.content rendered empty");
    const marker = c.commentTag ? commentTagMarker(c.commentTag) : undefined;
    const room = GITHUB_COMMENT_MAX - (marker ? marker.length + 1 : 0);
    const body = marker ? `${truncateChars(c.content, room)}\n${marker}` : truncateChars(c.content, room);
    out.pullRequestComment = { pullsPath: `${base}/commits/${sha}/pulls`, body };
    if (marker) out.pullRequestComment.marker = marker;
  }
  if (part.checkRun)
    out.checkRun = { path: `${base}/check-runs`, body: checkRunBody(part.checkRun, sha, where) };
  if (part.repositoryDispatch)
    out.repositoryDispatch = {
      path: `${base}/dispatches`,
      body: dispatchBody(part.repositoryDispatch, where),
    };
  return out;
}

/** An RFC 3339 time as GitHub takes it (ISO 8601 UTC), or an error naming the field. */
function rfc3339(value: string, field: string, where: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const ms = ok ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalidMessage(
      where,
      `checkRun.${field} ${JSON.stringify(truncateChars(value, 40))} is not an RFC 3339 time`,
    );
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

function checkRunBody(
  c: NonNullable<NonNullable<Notification["github"]>["checkRun"]>,
  sha: string,
  where: string,
): CheckRunBody {
  if (!c.name) throw invalidMessage(where, "checkRun.name rendered empty");
  // upstream: a conclusion without a status completes the run; a completed run needs a conclusion
  const status = c.status || (c.conclusion ? "completed" : "");
  if ((status === "completed" || c.completedAt) && !c.conclusion)
    throw invalidMessage(
      where,
      "checkRun: conclusion is required when status is completed or completed_at is set",
    );
  if (status && !(CHECK_RUN_STATUSES as readonly string[]).includes(status))
    throw invalidMessage(
      where,
      `checkRun.status ${JSON.stringify(truncateChars(status, 40))} is not one of ${CHECK_RUN_STATUSES.join(", ")}`,
    );
  if (c.conclusion && !(CHECK_RUN_CONCLUSIONS as readonly string[]).includes(c.conclusion))
    throw invalidMessage(
      where,
      `checkRun.conclusion ${JSON.stringify(truncateChars(c.conclusion, 40))} is not one of ${CHECK_RUN_CONCLUSIONS.join(", ")}`,
    );
  const body: CheckRunBody = {
    name: truncateChars(c.name, 255),
    head_sha: sha,
    external_id: CHECK_RUN_EXTERNAL_ID,
  };
  if (c.detailsURL) body.details_url = c.detailsURL;
  if (status) body.status = status;
  if (c.conclusion) body.conclusion = c.conclusion;
  if (c.startedAt) body.started_at = rfc3339(c.startedAt, "started_at", where);
  if (c.completedAt) body.completed_at = rfc3339(c.completedAt, "completed_at", where);
  if (c.output) {
    if (!c.output.title.trim() || !c.output.summary.trim())
      throw invalidMessage(where, "checkRun.output needs a title and a summary");
    body.output = {
      title: truncateChars(c.output.title, 255),
      summary: truncateChars(c.output.summary, CHECK_RUN_TEXT_MAX),
    };
    if (c.output.text) body.output.text = truncateChars(c.output.text, CHECK_RUN_TEXT_MAX);
  }
  return body;
}

function dispatchBody(
  d: NonNullable<NonNullable<Notification["github"]>["repositoryDispatch"]>,
  where: string,
): DispatchBody {
  if (!d.eventType) throw invalidMessage(where, "repositoryDispatch.event_type rendered empty");
  if (Array.from(d.eventType).length > EVENT_TYPE_MAX)
    throw invalidMessage(where, `repositoryDispatch.event_type is longer than ${EVENT_TYPE_MAX} characters`);
  const body: DispatchBody = { event_type: d.eventType };
  if (!d.clientPayload.trim()) return body;
  let payload: unknown;
  try {
    payload = JSON.parse(d.clientPayload);
  } catch (err) {
    throw invalidMessage(where, `repositoryDispatch.client_payload is not JSON (${(err as Error).message})`);
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload))
    throw invalidMessage(where, "repositoryDispatch.client_payload must be a JSON object");
  if (Object.keys(payload).length > CLIENT_PAYLOAD_KEYS_MAX)
    throw invalidMessage(
      where,
      `repositoryDispatch.client_payload has more than ${CLIENT_PAYLOAD_KEYS_MAX} top-level keys`,
    );
  body.client_payload = payload as Record<string, unknown>;
  return body;
}
