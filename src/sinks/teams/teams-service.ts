// The Teams service type (notifications-engine `teams`): MessageCards to Office 365 connector incoming webhooks, one
// URL per channel. Microsoft retires these connectors: prefer `teams-workflows`.

import { sinkOptions } from "../common/sink-options.ts";
import { urlSecrets } from "../common/url-secrets.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinTeamsTemplate } from "./teams-builtin.ts";
import { teamsConfigSchema, teamsTemplateSchema } from "./teams-config.ts";
import { renderTeams, teamsEscapeMode, teamsTemplateSources } from "./teams-render.ts";
import { TeamsSink } from "./teams-sink.ts";
import type { TeamsMessageCard, TeamsServiceConfig, TeamsTemplateSpec } from "./teams-types.ts";
import { type TeamsWirePayload, teamsCaptureLine, teamsWirePayload } from "./teams-wire.ts";

export const teamsService: ServiceTypeDefinition<
  TeamsServiceConfig,
  TeamsTemplateSpec,
  TeamsMessageCard,
  TeamsWirePayload
> = {
  type: "teams",
  docs: "docs/services/teams.md",
  config: { schema: teamsConfigSchema },
  secrets: (c) => Object.values(c.recipientUrls).flatMap(urlSecrets),
  recipients: {
    problem: (c, r) =>
      Object.hasOwn(c.recipientUrls, r) ? undefined : `has no recipientUrls entry for "${r}"`,
  },
  templates: {
    section: "teams",
    schema: teamsTemplateSchema,
    knownKeys: Object.keys(teamsTemplateSchema.shape),
    sources: teamsTemplateSources,
    escapeMode: teamsEscapeMode,
    builtin: builtinTeamsTemplate,
  },
  part: "teams",
  render: renderTeams,
  wirePayload: teamsWirePayload,
  captureLine: teamsCaptureLine,
  // connectors: about 4 requests per second per webhook
  rateLimit: { perSecond: 2, burst: 4 },
  previewConfig: (name) => ({ type: "teams", name, recipientUrls: {} }),
  createSink: (deps) => new TeamsSink(sinkOptions(deps)),
};
