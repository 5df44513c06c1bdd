// The GitLab service type (an extension: notifications-engine has no GitLab service in a release; the keys follow its
// unmerged pull request): commit statuses and merge request notes on the commit a Rollout revision was built from.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinGitlabTemplate } from "./gitlab-builtin.ts";
import { gitlabConfigSchema, gitlabTemplateSchema } from "./gitlab-config.ts";
import { gitlabEscapeMode, gitlabTemplateSources, renderGitlab } from "./gitlab-render.ts";
import { gitlabRecipientProblem } from "./gitlab-request.ts";
import { GitLabSink } from "./gitlab-sink.ts";
import type { GitLabPart, GitLabServiceConfig, GitLabTemplateSpec } from "./gitlab-types.ts";
import { type GitLabWirePayload, gitlabCaptureLine, gitlabWirePayload } from "./gitlab-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const gitlabService: ServiceTypeDefinition<
  GitLabServiceConfig,
  GitLabTemplateSpec,
  GitLabPart,
  GitLabWirePayload
> = {
  type: "gitlab",
  docs: "docs/services/gitlab.md",
  config: { schema: gitlabConfigSchema },
  secrets: (c) => [c.token],
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = gitlabRecipientProblem(trimSpaces(r));
      return why ? `cannot send to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "gitlab",
    schema: gitlabTemplateSchema,
    knownKeys: Object.keys(gitlabTemplateSchema.shape),
    sources: gitlabTemplateSources,
    escapeMode: gitlabEscapeMode,
    builtin: builtinGitlabTemplate,
  },
  part: "gitlab",
  render: renderGitlab,
  wirePayload: gitlabWirePayload,
  captureLine: gitlabCaptureLine,
  previewConfig: (name) => ({ type: "gitlab", name, token: "preview-token-not-used" }),
  createSink: (deps) => new GitLabSink(sinkOptions(deps)),
};
