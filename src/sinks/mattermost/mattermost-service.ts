// The Mattermost service type (notifications-engine `mattermost`): posts to channel ids through API v4 with a bot
// token, one thread per Rollout revision with its root updated in place, posting exactly once where Mattermost lets
// us check (see docs/services/mattermost.md).
import { sinkOptions } from "../common/sink-options.ts";
import type { ThreadPosterState } from "../common/thread-poster.ts";
import { InMemoryThreadState, RedisThreadState } from "../common/thread-state.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinMattermostTemplate } from "./mattermost-builtin.ts";
import {
  MATTERMOST_IGNORED_KEYS,
  mattermostConfigSchema,
  mattermostTemplateSchema,
} from "./mattermost-config.ts";
import { mattermostEscapeMode, mattermostTemplateSources, renderMattermost } from "./mattermost-render.ts";
import {
  MATTERMOST_MAX_MESSAGE,
  mattermostRecipientProblem,
  normalizeMattermostRecipient,
} from "./mattermost-request.ts";
import { MATTERMOST_KEY_PREFIX, MattermostSink } from "./mattermost-sink.ts";
import type { MattermostPost, MattermostServiceConfig, MattermostTemplateSpec } from "./mattermost-types.ts";
import {
  type MattermostWirePayload,
  mattermostCaptureLine,
  mattermostWirePayload,
} from "./mattermost-wire.ts";

export const mattermostService: ServiceTypeDefinition<
  MattermostServiceConfig,
  MattermostTemplateSpec,
  MattermostPost,
  MattermostWirePayload
> = {
  type: "mattermost",
  docs: "docs/services/mattermost.md",
  config: { schema: mattermostConfigSchema, ignoredKeys: MATTERMOST_IGNORED_KEYS },
  secrets: (c) => [c.token],
  recipients: {
    normalize: normalizeMattermostRecipient,
    problem: (_c, r) => {
      const why = mattermostRecipientProblem(normalizeMattermostRecipient(r));
      return why ? `cannot post to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "mattermost",
    schema: mattermostTemplateSchema,
    knownKeys: Object.keys(mattermostTemplateSchema.shape),
    sources: mattermostTemplateSources,
    escapeMode: mattermostEscapeMode,
    builtin: builtinMattermostTemplate,
  },
  part: "mattermost",
  render: renderMattermost,
  wirePayload: mattermostWirePayload,
  captureLine: mattermostCaptureLine,
  threading:
    "one thread per Rollout revision (groupingKey); the root post shows the revision's state, updated in place",
  previewConfig: (name) => ({
    type: "mattermost",
    name,
    apiURL: "https://mattermost.example.com",
    token: "",
  }),
  previewWarnings: (p) =>
    Array.from(p.message).length >= MATTERMOST_MAX_MESSAGE
      ? [`mattermost: message cut to ${MATTERMOST_MAX_MESSAGE} characters`]
      : [],
  createSink: (deps) => {
    const state =
      (deps.state?.mattermost as ThreadPosterState | undefined) ??
      (deps.redis
        ? new RedisThreadState(deps.redis, parseRoot, { keyPrefix: MATTERMOST_KEY_PREFIX })
        : new InMemoryThreadState());
    return new MattermostSink({ state, ...sinkOptions(deps) });
  },
};

function parseRoot(v: Record<string, unknown>) {
  return typeof v.channelId === "string" && typeof v.id === "string"
    ? { channelId: v.channelId, id: v.id }
    : undefined;
}
