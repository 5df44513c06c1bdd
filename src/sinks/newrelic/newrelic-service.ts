// The New Relic service type (notifications-engine `newrelic`): deployment markers on APM applications (the
// recipient is the application id) through the REST API v2.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinNewrelicTemplate } from "./newrelic-builtin.ts";
import { newrelicConfigSchema, newrelicTemplateSchema } from "./newrelic-config.ts";
import { newrelicEscapeMode, newrelicTemplateSources, renderNewrelic } from "./newrelic-render.ts";
import { newrelicRecipientProblem } from "./newrelic-request.ts";
import { NewrelicSink } from "./newrelic-sink.ts";
import type { NewrelicDeployment, NewrelicServiceConfig, NewrelicTemplateSpec } from "./newrelic-types.ts";
import { type NewrelicWirePayload, newrelicCaptureLine, newrelicWirePayload } from "./newrelic-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const newrelicService: ServiceTypeDefinition<
  NewrelicServiceConfig,
  NewrelicTemplateSpec,
  NewrelicDeployment,
  NewrelicWirePayload
> = {
  type: "newrelic",
  docs: "docs/services/newrelic.md",
  config: { schema: newrelicConfigSchema },
  secrets: (c) => [c.apiKey],
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = newrelicRecipientProblem(trimSpaces(r));
      return why ? `cannot record a marker on ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "newrelic",
    schema: newrelicTemplateSchema,
    knownKeys: Object.keys(newrelicTemplateSchema.shape),
    sources: newrelicTemplateSources,
    escapeMode: newrelicEscapeMode,
    builtin: builtinNewrelicTemplate,
  },
  part: "newrelic",
  render: renderNewrelic,
  wirePayload: newrelicWirePayload,
  captureLine: newrelicCaptureLine,
  previewConfig: (name) => ({ type: "newrelic", name, apiKey: "preview-key-not-used" }),
  createSink: (deps) => new NewrelicSink(sinkOptions(deps)),
};
