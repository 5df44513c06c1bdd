// The GitHub service type's shapes: `service.github` config (notifications-engine GitHubOptions: appID,
// installationID, privateKey, enterpriseBaseURL, insecureSkipVerify), the template's `github:` section (repoURLPath,
// revisionPath, status, deployment, pullRequestComment, checkRun, repositoryDispatch as upstream) and the rendered
// part.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface GitHubServiceConfig extends ServiceConfigBase {
  type: "github";
  /** GitHub App id (upstream takes a number or a numeric string). */
  appID: string;
  /** The App's installation id on the account owning the repositories. */
  installationID: string;
  /** The App's private key (PEM) — secret. */
  privateKey: string;
  /** GitHub Enterprise Server API root, e.g. https://git.example.com/api/v3; default https://api.github.com. */
  enterpriseBaseURL?: string;
  insecureSkipVerify?: boolean;
}

export interface GitHubStatusSpec {
  state?: string;
  label?: string;
  targetURL?: string;
}

export interface GitHubDeploymentSpec {
  state?: string;
  environment?: string;
  environmentURL?: string;
  logURL?: string;
  /** Not a template (upstream): the contexts GitHub verifies before creating the deployment. */
  requiredContexts?: string[];
  /** Not a template; default true (upstream). */
  autoMerge?: boolean;
  /** Not a template; default false (upstream). */
  transientEnvironment?: boolean;
  reference?: string;
}

export interface GitHubPullRequestCommentSpec {
  content?: string;
  /** Not a template (upstream): identifies the comment to update instead of adding one. */
  commentTag?: string;
}

/** Upstream's field names (snake_case, as GitHub's check run API). */
export interface GitHubCheckRunSpec {
  name?: string;
  details_url?: string;
  status?: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string };
}

export interface GitHubRepositoryDispatchSpec {
  event_type?: string;
  /** A JSON object (template). */
  client_payload?: string;
}

export interface GitHubTemplateSpec {
  repoURLPath?: string;
  revisionPath?: string;
  status?: GitHubStatusSpec;
  deployment?: GitHubDeploymentSpec;
  pullRequestComment?: GitHubPullRequestCommentSpec;
  checkRun?: GitHubCheckRunSpec;
  repositoryDispatch?: GitHubRepositoryDispatchSpec;
}

/** The rendered part: where (repository URL, commit) and what (status, deployment, comment). */
export interface GitHubPart {
  repoURL: string;
  revision: string;
  status?: { state: string; label: string; targetURL: string };
  deployment?: {
    state: string;
    environment: string;
    environmentURL: string;
    logURL: string;
    requiredContexts?: string[];
    autoMerge: boolean;
    transientEnvironment: boolean;
    reference: string;
  };
  pullRequestComment?: { content: string; commentTag?: string };
  checkRun?: {
    name: string;
    detailsURL: string;
    status: string;
    conclusion: string;
    startedAt: string;
    completedAt: string;
    output?: { title: string; summary: string; text: string };
  };
  repositoryDispatch?: { eventType: string; clientPayload: string };
  /** The built-in's message, for the descriptions, when the notification has no message of its own. */
  description?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    github: GitHubServiceConfig;
  }
  interface TemplateSections {
    github?: GitHubTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    github?: GitHubPart;
  }
}
