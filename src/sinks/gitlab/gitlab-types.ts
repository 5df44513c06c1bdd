// The GitLab service type's shapes (notifications-engine has none in a release; the keys and fields follow its
// unmerged GitLab pull request): `service.gitlab` config (baseURL, token), the template's `gitlab:` section
// (repoURLPath, revisionPath, status, mergeRequestComment) and the rendered part.
import type { ServiceConfigBase } from "../../config/types.ts";

export interface GitLabServiceConfig extends ServiceConfigBase {
  type: "gitlab";
  /** API root, default https://gitlab.com/api/v4. */
  baseURL?: string;
  /** Access token (project, group or personal) with the `api` scope — secret. */
  token: string;
  insecureSkipVerify?: boolean;
}

export interface GitLabTemplateSpec {
  repoURLPath?: string;
  revisionPath?: string;
  status?: { state?: string; label?: string; targetURL?: string };
  mergeRequestComment?: { content?: string };
}

export interface GitLabPart {
  repoURL: string;
  revision: string;
  status?: { state: string; label: string; targetURL: string };
  mergeRequestComment?: { content: string };
  /** The built-in's message, for the description, when the notification has no message of its own. */
  description?: string;
}

declare module "../../config/types.ts" {
  interface ServiceConfigByType {
    gitlab: GitLabServiceConfig;
  }
  interface TemplateSections {
    gitlab?: GitLabTemplateSpec;
  }
}

declare module "../../templates/notification.ts" {
  interface NotificationParts {
    gitlab?: GitLabPart;
  }
}
