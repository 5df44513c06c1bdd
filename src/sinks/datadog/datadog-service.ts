// The Datadog service type (an extension: notifications-engine has no Datadog service): Events API v1 events, one
// aggregation per Rollout revision, to the site of the API key.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinDatadogTemplate } from "./datadog-builtin.ts";
import { datadogConfigSchema, datadogTemplateSchema } from "./datadog-config.ts";
import { datadogEscapeMode, datadogTemplateSources, renderDatadog } from "./datadog-render.ts";
import { datadogRecipientProblem } from "./datadog-request.ts";
import { DatadogSink } from "./datadog-sink.ts";
import type { DatadogEvent, DatadogServiceConfig, DatadogTemplateSpec } from "./datadog-types.ts";
import { type DatadogWirePayload, datadogCaptureLine, datadogWirePayload } from "./datadog-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const datadogService: ServiceTypeDefinition<
  DatadogServiceConfig,
  DatadogTemplateSpec,
  DatadogEvent,
  DatadogWirePayload
> = {
  type: "datadog",
  docs: "docs/services/datadog.md",
  config: { schema: datadogConfigSchema },
  secrets: (c) => [c.apiKey],
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = datadogRecipientProblem(trimSpaces(r));
      return why ? `cannot tag an event with ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "datadog",
    schema: datadogTemplateSchema,
    knownKeys: Object.keys(datadogTemplateSchema.shape),
    sources: datadogTemplateSources,
    escapeMode: datadogEscapeMode,
    builtin: builtinDatadogTemplate,
  },
  part: "datadog",
  render: renderDatadog,
  wirePayload: datadogWirePayload,
  captureLine: datadogCaptureLine,
  previewConfig: (name) => ({ type: "datadog", name, apiKey: "preview-key-not-used" }),
  createSink: (deps) => new DatadogSink(sinkOptions(deps)),
};
