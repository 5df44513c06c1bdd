// The Google Cloud Pub/Sub service type (notifications-engine `gcppubsub`): publish each notification's message to a
// topic (the recipient, or the service's `topic`) with the template's attributes.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinGcpPubsubTemplate } from "./gcppubsub-builtin.ts";
import { gcppubsubConfigSchema, gcppubsubTemplateSchema } from "./gcppubsub-config.ts";
import { gcppubsubEscapeMode, gcppubsubTemplateSources, renderGcpPubsub } from "./gcppubsub-render.ts";
import { attributesProblem, keySecrets, topicFor, topicProblem } from "./gcppubsub-request.ts";
import { GcpPubsubSink } from "./gcppubsub-sink.ts";
import type { GcpPubsubMessage, GcpPubsubServiceConfig, GcpPubsubTemplateSpec } from "./gcppubsub-types.ts";
import { type GcpPubsubWirePayload, gcppubsubCaptureLine, gcppubsubWirePayload } from "./gcppubsub-wire.ts";

const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const gcppubsubService: ServiceTypeDefinition<
  GcpPubsubServiceConfig,
  GcpPubsubTemplateSpec,
  GcpPubsubMessage,
  GcpPubsubWirePayload
> = {
  type: "gcppubsub",
  docs: "docs/services/gcppubsub.md",
  config: {
    schema: gcppubsubConfigSchema,
    // a file of the notifier's pod, or its own identity, is not lent to a namespace (the sink refuses them too)
    tenantProblem: (c) => {
      if (c.keyJSON !== undefined) return undefined;
      if (c.keyFile !== undefined)
        return {
          path: "keyFile",
          message:
            "a namespace's service cannot read a key file of the notifier's pod: give the key as keyJSON from the namespace's Secret",
        };
      return {
        path: "keyJSON",
        message:
          "a namespace's service must give its own service account key (keyJSON from the namespace's Secret): the notifier's Application Default Credentials are for central services only",
      };
    },
  },
  secrets: (c) => keySecrets(c.keyJSON),
  recipients: {
    normalize: trimSpaces,
    problem: (c, r) => {
      const topic = topicFor(c, trimSpaces(r));
      if (topic === undefined)
        return "cannot publish without a topic: the subscription names none and the service has no `topic`";
      const why = topicProblem(topic);
      return why ? `cannot publish to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "gcppubsub",
    schema: gcppubsubTemplateSchema,
    knownKeys: Object.keys(gcppubsubTemplateSchema.shape),
    sources: gcppubsubTemplateSources,
    escapeMode: gcppubsubEscapeMode,
    builtin: builtinGcpPubsubTemplate,
  },
  part: "gcppubsub",
  render: renderGcpPubsub,
  wirePayload: gcppubsubWirePayload,
  captureLine: gcppubsubCaptureLine,
  previewConfig: (name) => ({ type: "gcppubsub", name, project: "my-project", topic: "rollouts" }),
  previewWarnings: (part) => {
    const why = part.attributes ? attributesProblem(part.attributes) : undefined;
    return why ? [why] : [];
  },
  createSink: (deps) => new GcpPubsubSink(sinkOptions(deps)),
};
