// `replay --dry-run`/`--capture` view of a GitHub delivery: the repository, the commit and the bodies of the
// requests (the JWT and the installation token are only in headers; the private key is never sent).
import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import {
  buildGithubRequests,
  type CheckRunBody,
  type DeploymentBody,
  type DeploymentStatusBody,
  type DispatchBody,
  githubApiRoot,
  type StatusBody,
} from "./github-request.ts";
import type { GitHubServiceConfig } from "./github-types.ts";

export interface GitHubWirePayload {
  type: "github";
  api: string;
  repository: string;
  revision: string;
  status?: { body: StatusBody };
  deployment?: { create: DeploymentBody; status: DeploymentStatusBody };
  pullRequestComment?: { body: string };
  checkRun?: { body: CheckRunBody };
  repositoryDispatch?: { body: DispatchBody };
}

export const githubWhere = (service: GitHubServiceConfig, recipient: string) =>
  `github service ${JSON.stringify(service.name)}${recipient ? ` repository ${JSON.stringify(recipient)}` : ""}`;

export function githubWirePayload(input: WirePayloadInput<GitHubServiceConfig>): GitHubWirePayload {
  const { service, destination } = input;
  const where = githubWhere(service, destination.recipient);
  const r = buildGithubRequests(destination.recipient, input.notification, where);
  const out: GitHubWirePayload = {
    type: "github",
    api: githubApiRoot(service),
    repository: `${r.repository.owner}/${r.repository.repo}`,
    revision: r.sha,
  };
  if (r.status) out.status = { body: r.status.body };
  if (r.deployment) out.deployment = { create: r.deployment.create.body, status: r.deployment.status };
  if (r.pullRequestComment) out.pullRequestComment = { body: r.pullRequestComment.body };
  if (r.checkRun) out.checkRun = { body: r.checkRun.body };
  if (r.repositoryDispatch) out.repositoryDispatch = { body: r.repositoryDispatch.body };
  return out;
}

export function githubCaptureLine(c: CapturedPayload<GitHubWirePayload>): string {
  const p = c.payload;
  const what = [
    p.status ? `status ${p.status.body.state} ${p.status.body.context ?? "default"}` : "",
    p.deployment ? `deployment ${p.deployment.create.environment} ${p.deployment.status.state}` : "",
    p.pullRequestComment ? "pull request comment" : "",
    p.checkRun
      ? `check run ${p.checkRun.body.name} ${p.checkRun.body.conclusion ?? p.checkRun.body.status ?? ""}`
      : "",
    p.repositoryDispatch ? `dispatch ${p.repositoryDispatch.body.event_type}` : "",
  ].filter(Boolean);
  const text =
    p.status?.body.description ?? p.deployment?.status.description ?? p.pullRequestComment?.body ?? "";
  return `github ${p.repository}@${p.revision.slice(0, 12)}  [${what.join(", ")}] ${oneLine(text)}`;
}
