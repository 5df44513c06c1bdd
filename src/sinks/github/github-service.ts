// The GitHub service type (notifications-engine `github`): commit statuses, deployments and pull request comments
// as a GitHub App installation, on the commit a Rollout revision was built from.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinGithubTemplate } from "./github-builtin.ts";
import { GITHUB_IGNORED_KEYS, githubConfigSchema, githubTemplateSchema } from "./github-config.ts";
import { githubEscapeMode, githubTemplateSources, renderGithub } from "./github-render.ts";
import { githubRecipientProblem } from "./github-request.ts";
import { GitHubSink } from "./github-sink.ts";
import type { GitHubPart, GitHubServiceConfig, GitHubTemplateSpec } from "./github-types.ts";
import { type GitHubWirePayload, githubCaptureLine, githubWirePayload } from "./github-wire.ts";

/**
 * The key and each line of its PEM body: an echo of the key with its line breaks collapsed (error snippets flatten
 * whitespace) still has every line verbatim.
 */
const keySecrets = (pem: string) => [
  pem,
  ...pem
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----")),
];

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const githubService: ServiceTypeDefinition<
  GitHubServiceConfig,
  GitHubTemplateSpec,
  GitHubPart,
  GitHubWirePayload
> = {
  type: "github",
  docs: "docs/services/github.md",
  config: { schema: githubConfigSchema, ignoredKeys: GITHUB_IGNORED_KEYS },
  secrets: (c) => keySecrets(c.privateKey),
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = githubRecipientProblem(trimSpaces(r));
      return why ? `cannot send to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "github",
    schema: githubTemplateSchema,
    knownKeys: Object.keys(githubTemplateSchema.shape),
    sources: githubTemplateSources,
    escapeMode: githubEscapeMode,
    builtin: builtinGithubTemplate,
    upstreamFailsWithoutSection: "config is empty",
  },
  part: "github",
  render: renderGithub,
  wirePayload: githubWirePayload,
  captureLine: githubCaptureLine,
  previewConfig: (name) => ({
    type: "github",
    name,
    appID: "1",
    installationID: "1",
    privateKey: "preview-key-not-used",
  }),
  createSink: (deps) => new GitHubSink(sinkOptions(deps)),
};
