// The Teams Workflows service type (notifications-engine `teams-workflows`): Adaptive Cards to Power Automate
// workflow webhooks, one URL per channel — the replacement Microsoft requires for Office 365 connectors.

import { sinkOptions } from "../common/sink-options.ts";
import { urlSecrets } from "../common/url-secrets.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinTeamsWorkflowsTemplate } from "./teams-workflows-builtin.ts";
import { teamsWorkflowsConfigSchema, teamsWorkflowsTemplateSchema } from "./teams-workflows-config.ts";
import {
  renderTeamsWorkflows,
  teamsWorkflowsEscapeMode,
  teamsWorkflowsTemplateSources,
} from "./teams-workflows-render.ts";
import { TeamsWorkflowsSink } from "./teams-workflows-sink.ts";
import type {
  TeamsWorkflowsCard,
  TeamsWorkflowsServiceConfig,
  TeamsWorkflowsTemplateSpec,
} from "./teams-workflows-types.ts";
import {
  type TeamsWorkflowsWirePayload,
  teamsWorkflowsCaptureLine,
  teamsWorkflowsWirePayload,
} from "./teams-workflows-wire.ts";

export const teamsWorkflowsService: ServiceTypeDefinition<
  TeamsWorkflowsServiceConfig,
  TeamsWorkflowsTemplateSpec,
  TeamsWorkflowsCard,
  TeamsWorkflowsWirePayload
> = {
  type: "teams-workflows",
  docs: "docs/services/teams-workflows.md",
  config: { schema: teamsWorkflowsConfigSchema },
  secrets: (c) => Object.values(c.recipientUrls).flatMap(urlSecrets),
  recipients: {
    problem: (c, r) =>
      Object.hasOwn(c.recipientUrls, r) ? undefined : `has no recipientUrls entry for "${r}"`,
  },
  templates: {
    section: "teams-workflows",
    schema: teamsWorkflowsTemplateSchema,
    knownKeys: Object.keys(teamsWorkflowsTemplateSchema.shape),
    sources: teamsWorkflowsTemplateSources,
    escapeMode: teamsWorkflowsEscapeMode,
    builtin: builtinTeamsWorkflowsTemplate,
  },
  part: "teamsWorkflows",
  render: renderTeamsWorkflows,
  wirePayload: teamsWorkflowsWirePayload,
  captureLine: teamsWorkflowsCaptureLine,
  // Power Automate: about 4 requests per second per flow; bursts trip 429
  rateLimit: { perSecond: 2, burst: 4 },
  previewConfig: (name) => ({ type: "teams-workflows", name, recipientUrls: {} }),
  createSink: (deps) => new TeamsWorkflowsSink(sinkOptions(deps)),
};
