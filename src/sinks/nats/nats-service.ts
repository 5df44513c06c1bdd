// The NATS service type (notifications-engine `nats`): publish each notification to a subject (the recipient) on a
// NATS server, with the service's headers; built-in messages are JSON events.

import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinNatsTemplate } from "./nats-builtin.ts";
import { natsConfigSchema, natsTemplateSchema } from "./nats-config.ts";
import { natsEscapeMode, natsTemplateSources, renderNats } from "./nats-render.ts";
import { natsSubjectProblem, parseNatsServers } from "./nats-request.ts";
import { NatsSink, type NatsSinkOptions } from "./nats-sink.ts";
import type { NatsMessage, NatsServiceConfig, NatsTemplateSpec } from "./nats-types.ts";
import { type NatsWirePayload, natsCaptureLine, natsWirePayload } from "./nats-wire.ts";

/** Credentials written into the server URLs (nats://user:pass@host, nats://token@host). */
function urlCredentials(url: string): string[] {
  const parsed = parseNatsServers(url);
  if ("problem" in parsed) return [url];
  return parsed.servers.flatMap((s) => [
    decodeURIComponent(s.url.username),
    decodeURIComponent(s.url.password),
  ]);
}

/** Surrounding spaces are dropped (a line break is not: it is reported). */
const trimSpaces = (r: string) => r.replace(/^ +| +$/g, "");

export const natsService: ServiceTypeDefinition<
  NatsServiceConfig,
  NatsTemplateSpec,
  NatsMessage,
  NatsWirePayload
> = {
  type: "nats",
  docs: "docs/services/nats.md",
  config: { schema: natsConfigSchema },
  secrets: (c) => [c.password ?? "", c.nkey ?? "", ...urlCredentials(c.url)].filter((s) => s.length >= 4),
  recipients: {
    normalize: trimSpaces,
    problem: (_c, r) => {
      const why = natsSubjectProblem(trimSpaces(r));
      return why ? `cannot publish to ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "nats",
    schema: natsTemplateSchema,
    knownKeys: Object.keys(natsTemplateSchema.shape),
    sources: natsTemplateSources,
    escapeMode: natsEscapeMode,
    builtin: builtinNatsTemplate,
  },
  part: "nats",
  render: renderNats,
  wirePayload: natsWirePayload,
  captureLine: natsCaptureLine,
  previewConfig: (name) => ({ type: "nats", name, url: "nats://127.0.0.1:4222" }),
  createSink: (deps) => {
    const opts: NatsSinkOptions = { logger: deps.logger };
    if (deps.timeoutMs !== undefined) opts.timeoutMs = deps.timeoutMs;
    if (deps.allowPrivateNetworks !== undefined) opts.allowPrivateNetworks = deps.allowPrivateNetworks;
    return new NatsSink(opts);
  },
};
