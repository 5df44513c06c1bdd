// The Rocket.Chat service type (notifications-engine `rocketchat`): chat.postMessage to #channels, @users and room
// ids as a bot user that logs in with email/password.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinRocketChatTemplate } from "./rocketchat-builtin.ts";
import { rocketChatConfigSchema, rocketChatTemplateSchema } from "./rocketchat-config.ts";
import { renderRocketChat, rocketChatEscapeMode, rocketChatTemplateSources } from "./rocketchat-render.ts";
import { rocketChatRecipientProblem } from "./rocketchat-request.ts";
import { RocketChatSink } from "./rocketchat-sink.ts";
import type {
  RocketChatMessage,
  RocketChatServiceConfig,
  RocketChatTemplateSpec,
} from "./rocketchat-types.ts";
import {
  type RocketChatWirePayload,
  rocketChatCaptureLine,
  rocketChatWirePayload,
} from "./rocketchat-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const rocketChatService: ServiceTypeDefinition<
  RocketChatServiceConfig,
  RocketChatTemplateSpec,
  RocketChatMessage,
  RocketChatWirePayload
> = {
  type: "rocketchat",
  docs: "docs/services/rocketchat.md",
  config: { schema: rocketChatConfigSchema },
  secrets: (c) => [c.password],
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = rocketChatRecipientProblem(trimSpaces(r));
      return why ? `cannot post to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "rocketchat",
    schema: rocketChatTemplateSchema,
    knownKeys: Object.keys(rocketChatTemplateSchema.shape),
    sources: rocketChatTemplateSources,
    escapeMode: rocketChatEscapeMode,
    builtin: builtinRocketChatTemplate,
  },
  part: "rocketchat",
  render: renderRocketChat,
  wirePayload: rocketChatWirePayload,
  captureLine: rocketChatCaptureLine,
  previewConfig: (name) => ({ type: "rocketchat", name, email: "bot@example.com", password: "preview" }),
  createSink: (deps) => new RocketChatSink(sinkOptions(deps)),
};
