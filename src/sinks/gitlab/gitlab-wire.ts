// `replay --dry-run`/`--capture` view of a GitLab delivery: the project, the commit and the request bodies (the
// token is only in a header).
import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildGitlabRequests, type GitLabStatusBody, gitlabApiRoot } from "./gitlab-request.ts";
import type { GitLabServiceConfig } from "./gitlab-types.ts";

export interface GitLabWirePayload {
  type: "gitlab";
  api: string;
  project: string;
  revision: string;
  status?: { body: GitLabStatusBody };
  mergeRequestComment?: { body: string };
}

export const gitlabWhere = (service: GitLabServiceConfig, recipient: string) =>
  `gitlab service ${JSON.stringify(service.name)}${recipient ? ` project ${JSON.stringify(recipient)}` : ""}`;

export function gitlabWirePayload(input: WirePayloadInput<GitLabServiceConfig>): GitLabWirePayload {
  const { service, destination } = input;
  const r = buildGitlabRequests(
    destination.recipient,
    input.notification,
    gitlabWhere(service, destination.recipient),
  );
  const out: GitLabWirePayload = {
    type: "gitlab",
    api: gitlabApiRoot(service),
    project: r.project,
    revision: r.sha,
  };
  if (r.status) out.status = { body: r.status.body };
  if (r.mergeRequestComment) out.mergeRequestComment = { body: r.mergeRequestComment.body };
  return out;
}

export function gitlabCaptureLine(c: CapturedPayload<GitLabWirePayload>): string {
  const p = c.payload;
  const what = [
    p.status ? `status ${p.status.body.state} ${p.status.body.name ?? "default"}` : "",
    p.mergeRequestComment ? "merge request note" : "",
  ].filter(Boolean);
  const text = p.status?.body.description ?? p.mergeRequestComment?.body ?? "";
  return `gitlab ${p.project}@${p.revision.slice(0, 12)}  [${what.join(", ")}] ${oneLine(text)}`;
}
