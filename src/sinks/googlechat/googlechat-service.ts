// The Google Chat service type (notifications-engine `googlechat`): messages and cards v2 to space webhooks, one
// thread per Rollout revision (threadKey).

import { sinkOptions } from "../common/sink-options.ts";
import { urlSecrets } from "../common/url-secrets.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinGoogleChatTemplate } from "./googlechat-builtin.ts";
import { googleChatConfigSchema, googleChatTemplateSchema } from "./googlechat-config.ts";
import { googleChatEscapeMode, googleChatTemplateSources, renderGoogleChat } from "./googlechat-render.ts";
import { GoogleChatSink } from "./googlechat-sink.ts";
import type {
  GoogleChatMessage,
  GoogleChatServiceConfig,
  GoogleChatTemplateSpec,
} from "./googlechat-types.ts";
import {
  type GoogleChatWirePayload,
  googleChatCaptureLine,
  googleChatWirePayload,
} from "./googlechat-wire.ts";

export const googleChatService: ServiceTypeDefinition<
  GoogleChatServiceConfig,
  GoogleChatTemplateSpec,
  GoogleChatMessage,
  GoogleChatWirePayload
> = {
  type: "googlechat",
  docs: "docs/services/googlechat.md",
  config: { schema: googleChatConfigSchema },
  secrets: (c) => Object.values(c.webhooks).flatMap(urlSecrets),
  recipients: {
    problem: (c, r) => (Object.hasOwn(c.webhooks, r) ? undefined : `has no webhooks entry for space "${r}"`),
  },
  templates: {
    section: "googlechat",
    schema: googleChatTemplateSchema,
    knownKeys: Object.keys(googleChatTemplateSchema.shape),
    sources: googleChatTemplateSources,
    escapeMode: googleChatEscapeMode,
    builtin: builtinGoogleChatTemplate,
  },
  part: "googlechat",
  render: renderGoogleChat,
  wirePayload: googleChatWirePayload,
  captureLine: googleChatCaptureLine,
  // Chat: 1 write per second per space (60 per minute)
  rateLimit: { perSecond: 1, burst: 3 },
  threading: "one thread per Rollout revision (threadKey, REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD)",
  previewConfig: (name) => ({ type: "googlechat", name, webhooks: {} }),
  createSink: (deps) => new GoogleChatSink(sinkOptions(deps)),
};
