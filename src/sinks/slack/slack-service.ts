// The Slack service type (notifications-engine `slack`): chat.postMessage through @slack/web-api, one thread per
// Rollout revision with the root updated in place, posting exactly once (see README.md).

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { RedisSlackState } from "./redis-slack-state.ts";
import { validateSlackMessage } from "./slack-blocks.ts";
import { builtinSlackTemplate } from "./slack-builtin.ts";
import { SLACK_IGNORED_KEYS, slackConfigSchema, slackTemplateSchema } from "./slack-config.ts";
import { normalizeSlackRecipient } from "./slack-message.ts";
import { renderSlack, slackEscapeMode, slackTemplateSources } from "./slack-render.ts";
import { SlackSink } from "./slack-sink.ts";
import { InMemorySlackState, type SlackState } from "./slack-state.ts";
import type { SlackMessage, SlackServiceConfig, SlackTemplateSpec } from "./slack-types.ts";
import { type SlackWirePayload, slackCaptureLine, slackWirePayload } from "./slack-wire.ts";

export const slackService: ServiceTypeDefinition<
  SlackServiceConfig,
  SlackTemplateSpec,
  SlackMessage,
  SlackWirePayload
> = {
  type: "slack",
  docs: "docs/services/slack.md",
  config: { schema: slackConfigSchema, ignoredKeys: SLACK_IGNORED_KEYS },
  secrets: (c) => [c.token, c.signingSecret ?? ""],
  recipients: {
    normalize: normalizeSlackRecipient,
    problem: (_c, r) => {
      if (normalizeSlackRecipient(r) === "") return "needs a channel as recipient";
      // a mention is something a template may write, never a recipient
      if (/[<>]/.test(r))
        return `cannot take ${JSON.stringify(r.trim())}: a mention or markup, not a channel`;
      if (/[\s,]/.test(r.trim())) return `cannot take channel ${JSON.stringify(r)} (whitespace or comma)`;
      return undefined;
    },
  },
  templates: {
    section: "slack",
    schema: slackTemplateSchema,
    knownKeys: Object.keys(slackTemplateSchema.shape),
    sources: slackTemplateSources,
    escapeMode: slackEscapeMode,
    builtin: builtinSlackTemplate,
  },
  part: "slack",
  render: renderSlack,
  wirePayload: slackWirePayload,
  captureLine: slackCaptureLine,
  rateLimit: { perSecond: 1, burst: 3 },
  threading:
    "one thread per Rollout revision (groupingKey); the root shows the revision's state, updated in place",
  previewConfig: (name) => ({ type: "slack", name, token: "" }),
  previewWarnings: (m) => [
    ...validateSlackMessage(m).map((p) => `slack: ${p}`),
    ...(m.threadRoot ? validateSlackMessage(m.threadRoot).map((p) => `slack.threadRoot: ${p}`) : []),
  ],
  createSink: (deps) => {
    const state =
      (deps.state?.slack as SlackState | undefined) ??
      (deps.redis ? new RedisSlackState(deps.redis) : new InMemorySlackState());
    return new SlackSink({ state, ...sinkOptions(deps) });
  },
};
