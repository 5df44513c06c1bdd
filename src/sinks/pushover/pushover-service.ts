// The Pushover service type (notifications-engine `pushover`): Messages API notifications to user or group keys.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinPushoverTemplate } from "./pushover-builtin.ts";
import { pushoverConfigSchema, pushoverTemplateSchema } from "./pushover-config.ts";
import { pushoverEscapeMode, pushoverTemplateSources, renderPushover } from "./pushover-render.ts";
import { PUSHOVER_KEY } from "./pushover-request.ts";
import { PushoverSink } from "./pushover-sink.ts";
import type { PushoverMessage, PushoverServiceConfig, PushoverTemplateSpec } from "./pushover-types.ts";
import { type PushoverWirePayload, pushoverCaptureLine, pushoverWirePayload } from "./pushover-wire.ts";

export const pushoverService: ServiceTypeDefinition<
  PushoverServiceConfig,
  PushoverTemplateSpec,
  PushoverMessage,
  PushoverWirePayload
> = {
  type: "pushover",
  docs: "docs/services/pushover.md",
  config: { schema: pushoverConfigSchema },
  secrets: (c) => [c.token],
  recipients: {
    normalize: (r) => r.replace(/^ +| +$/g, ""),
    problem: (_c, r) =>
      PUSHOVER_KEY.test(r.replace(/^ +| +$/g, ""))
        ? undefined
        : `cannot send to ${JSON.stringify(r)}: not a Pushover user or group key (30 letters and digits)`,
  },
  templates: {
    section: "pushover",
    schema: pushoverTemplateSchema,
    knownKeys: Object.keys(pushoverTemplateSchema.shape),
    sources: pushoverTemplateSources,
    escapeMode: pushoverEscapeMode,
    builtin: builtinPushoverTemplate,
  },
  part: "pushover",
  render: renderPushover,
  wirePayload: pushoverWirePayload,
  captureLine: pushoverCaptureLine,
  // Pushover asks applications to send no more than about 2 requests per second (and to queue, not burst)
  rateLimit: { perSecond: 2, burst: 2 },
  previewConfig: (name) => ({ type: "pushover", name, token: "a".repeat(30) }),
  createSink: (deps) => new PushoverSink(sinkOptions(deps)),
};
