// The Webex service type (notifications-engine `webex`): markdown messages to people (by email address) and rooms
// (by id) through a bot.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinWebexTemplate } from "./webex-builtin.ts";
import { webexConfigSchema, webexTemplateSchema } from "./webex-config.ts";
import { renderWebex, webexEscapeMode, webexTemplateSources } from "./webex-render.ts";
import { webexRecipientProblem } from "./webex-request.ts";
import { WebexSink } from "./webex-sink.ts";
import type { WebexMessage, WebexServiceConfig, WebexTemplateSpec } from "./webex-types.ts";
import { type WebexWirePayload, webexCaptureLine, webexWirePayload } from "./webex-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const webexService: ServiceTypeDefinition<
  WebexServiceConfig,
  WebexTemplateSpec,
  WebexMessage,
  WebexWirePayload
> = {
  type: "webex",
  docs: "docs/services/webex.md",
  config: { schema: webexConfigSchema },
  secrets: (c) => [c.token],
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = webexRecipientProblem(trimSpaces(r));
      return why ? `cannot send to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "webex",
    schema: webexTemplateSchema,
    knownKeys: Object.keys(webexTemplateSchema.shape),
    sources: webexTemplateSources,
    escapeMode: webexEscapeMode,
    builtin: builtinWebexTemplate,
  },
  part: "webex",
  render: renderWebex,
  wirePayload: webexWirePayload,
  captureLine: webexCaptureLine,
  previewConfig: (name) => ({ type: "webex", name, token: "preview-token-not-used" }),
  createSink: (deps) => new WebexSink(sinkOptions(deps)),
};
