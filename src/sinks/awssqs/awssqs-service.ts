// The AWS SQS service type (notifications-engine `awssqs`): send each notification as a message to an SQS queue
// (the recipient, else the service's `queue`), signed with the service's key/secret or the default AWS credential
// chain; built-in messages are JSON events with String attributes.
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinAwsSqsTemplate } from "./awssqs-builtin.ts";
import { awsSqsConfigSchema, awsSqsTemplateSchema } from "./awssqs-config.ts";
import { awsSqsEscapeMode, awsSqsTemplateSources, renderAwsSqs } from "./awssqs-render.ts";
import { SQS_MAX_MESSAGE_BYTES, sqsQueueProblem } from "./awssqs-request.ts";
import { AwsSqsSink, type AwsSqsSinkOptions } from "./awssqs-sink.ts";
import type { AwsSqsMessage, AwsSqsServiceConfig, AwsSqsTemplateSpec } from "./awssqs-types.ts";
import {
  type AwsSqsWirePayload,
  awsSqsCaptureLine,
  awsSqsWirePayload,
  hasStaticCredentials,
} from "./awssqs-wire.ts";

/** Surrounding spaces are dropped (a line break is not: it is reported). */
const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const awsSqsService: ServiceTypeDefinition<
  AwsSqsServiceConfig,
  AwsSqsTemplateSpec,
  AwsSqsMessage,
  AwsSqsWirePayload
> = {
  type: "awssqs",
  docs: "docs/services/awssqs.md",
  config: {
    schema: awsSqsConfigSchema,
    // the default AWS credential chain is the notifier's own identity: not lent to a namespace (the sink and the
    // recipient check refuse it too)
    tenantProblem: (c) =>
      hasStaticCredentials(c)
        ? undefined
        : {
            path: c.key ? "secret" : "key",
            message:
              "a namespace's service must set key and secret (from the namespace's Secret): the default AWS credential chain is the notifier's own identity, for central services only",
          },
  },
  secrets: (c) => [c.key ?? "", c.secret ?? "", c.sessionToken ?? ""].filter((s) => s.length >= 4),
  recipients: {
    normalize: trimSpaces,
    problem: (c, r) => {
      if (c.tenantNamespace !== undefined && !hasStaticCredentials(c))
        // read after `service "<name>" ` (as every recipient problem)
        return "must set key and secret: it is a namespace's own awssqs service, and the default AWS credential chain is the notifier's own identity";
      const why = sqsQueueProblem(c, trimSpaces(r));
      return why ? `cannot send to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "awssqs",
    schema: awsSqsTemplateSchema,
    knownKeys: Object.keys(awsSqsTemplateSchema.shape),
    sources: awsSqsTemplateSources,
    escapeMode: awsSqsEscapeMode,
    builtin: builtinAwsSqsTemplate,
  },
  part: "awssqs",
  render: renderAwsSqs,
  wirePayload: awsSqsWirePayload,
  captureLine: awsSqsCaptureLine,
  previewConfig: (name) => ({ type: "awssqs", name, queue: "rollouts", region: "us-east-1" }),
  previewWarnings: (part) =>
    Buffer.byteLength(part.body) > 256 * 1024
      ? [
          `body is ${Buffer.byteLength(part.body)} bytes: over a queue's default maximum (256 KiB; SQS allows ${SQS_MAX_MESSAGE_BYTES})`,
        ]
      : [],
  createSink: (deps) => {
    const opts: AwsSqsSinkOptions = { dispatchers: deps.dispatchers, logger: deps.logger };
    if (deps.timeoutMs !== undefined) opts.timeoutMs = deps.timeoutMs;
    if (deps.allowPrivateNetworks !== undefined) opts.allowPrivateNetworks = deps.allowPrivateNetworks;
    return new AwsSqsSink(opts);
  },
};
