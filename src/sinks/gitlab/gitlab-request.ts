// What a GitLab delivery sends (pure), on the project named by the recipient (extension: "group/project", nested
// groups allowed, or its numeric id) or by the rendered repoURLPath (its whole path: GitLab has nested groups), and
// the commit of the rendered revisionPath:
// - status: POST /projects/{id}/statuses/{sha} {state, name: label, target_url, description: the message cut to 255
//   characters} with PRIVATE-TOKEN;
// - mergeRequestComment: a note on every merge request of the commit (GET /projects/{id}/repository/commits/{sha}/
//   merge_requests, then POST /projects/{id}/merge_requests/{iid}/notes {body}).
import { truncateChars } from "../../templates/fields.ts";
import type { Notification } from "../../templates/notification.ts";
import { invalidMessage, renderedCommit, unresolvedSource } from "../common/commit-target.ts";
import { gitUrlPathSegments } from "../common/git-url.ts";
import { DeliveryError } from "../sink.ts";
import type { GitLabServiceConfig } from "./gitlab-types.ts";

export const DEFAULT_GITLAB_API = "https://gitlab.com/api/v4";
export const GITLAB_DESCRIPTION_MAX = 255;
export const GITLAB_NOTE_MAX = 1_000_000;
export const COMMIT_STATES = ["pending", "running", "success", "failed", "canceled", "skipped"] as const;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const MAX_DEPTH = 20;

export const gitlabApiRoot = (service: GitLabServiceConfig) =>
  (service.baseURL || DEFAULT_GITLAB_API).replace(/\/+$/, "");

/** A project path ("group/sub/project") or numeric id, or undefined. */
function checkedProject(segments: string[]): string | undefined {
  if (segments.length === 1 && /^[1-9]\d{0,18}$/.test(segments[0]!)) return segments[0];
  if (segments.length < 2 || segments.length > MAX_DEPTH) return undefined;
  return segments.every((s) => SEGMENT.test(s) && !/\.(git|atom)$/.test(s)) ? segments.join("/") : undefined;
}

export function projectOfRecipient(recipient: string): string | undefined {
  if (/\s/.test(recipient) || recipient.startsWith("/") || recipient.endsWith("/")) return undefined;
  return checkedProject(recipient.split("/"));
}

export function gitlabRecipientProblem(recipient: string): string | undefined {
  if (recipient === "" || projectOfRecipient(recipient)) return undefined;
  return 'a recipient is a project path "group/project" or a project id, or empty to use the template\'s repoURLPath';
}

/** The project of a git URL: its whole path without ".git", up to GitLab's "/-/" (a page of the project). */
export function projectOfUrl(raw: string): string | undefined {
  const all = gitUrlPathSegments(raw);
  const dash = all?.indexOf("-") ?? -1;
  const segments = all && dash >= 0 ? all.slice(0, dash) : all;
  return segments && segments.length >= 2 ? checkedProject(segments) : undefined;
}

export interface GitLabRequests {
  project: string;
  sha: string;
  status?: { path: string; body: GitLabStatusBody };
  mergeRequestComment?: { mergeRequestsPath: string; notesPath: string; body: string };
}

export interface GitLabStatusBody {
  state: string;
  name?: string;
  target_url?: string;
  description?: string;
}

export function buildGitlabRequests(
  recipient: string,
  notification: Notification,
  where: string,
): GitLabRequests {
  const part = notification.gitlab;
  if (!part) throw invalidMessage(where, "the notification has no gitlab part");
  if (!part.status && !part.mergeRequestComment)
    throw invalidMessage(where, "the gitlab section has no status or mergeRequestComment");
  const problem = gitlabRecipientProblem(recipient);
  if (problem)
    throw new DeliveryError(`${where}: ${problem}`, { transient: false, code: "invalid_recipient" });
  const project = recipient ? projectOfRecipient(recipient) : projectOfUrl(part.repoURL);
  if (!project)
    throw unresolvedSource(where, "gitlab", part.repoURL, {
      noun: "project",
      recipientForm: "group/project",
    });
  const sha = renderedCommit(where, "gitlab", part.revision, {
    isCommit: (v) => /^[0-9a-f]{7,64}$/i.test(v),
    notCommit: "not a commit SHA",
  });
  const base = `/projects/${encodeURIComponent(project)}`;
  const out: GitLabRequests = { project, sha };
  if (part.status) {
    const state = part.status.state;
    if (!(COMMIT_STATES as readonly string[]).includes(state))
      throw invalidMessage(
        where,
        `status.state ${JSON.stringify(truncateChars(state, 40))} is not one of ${COMMIT_STATES.join(", ")}`,
      );
    const body: GitLabStatusBody = { state };
    if (part.status.label) body.name = truncateChars(part.status.label, 255);
    if (part.status.targetURL) body.target_url = part.status.targetURL;
    const text = notification.message || part.description || "";
    if (text) body.description = truncateChars(text, GITLAB_DESCRIPTION_MAX);
    out.status = { path: `${base}/statuses/${sha}`, body };
  }
  if (part.mergeRequestComment) {
    const content = part.mergeRequestComment.content;
    if (!content.trim()) throw invalidMessage(where, "mergeRequestComment.content rendered empty");
    out.mergeRequestComment = {
      mergeRequestsPath: `${base}/repository/commits/${sha}/merge_requests`,
      notesPath: `${base}/merge_requests/{iid}/notes`,
      body: truncateChars(content, GITLAB_NOTE_MAX),
    };
  }
  return out;
}
