// The Alertmanager service type (notifications-engine `alertmanager`): alerts POSTed to one or more Alertmanagers;
// the built-in completion resolves the Rollout's alert (endsAt).

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinAlertmanagerTemplate } from "./alertmanager-builtin.ts";
import { alertmanagerConfigSchema, alertmanagerTemplateSchema } from "./alertmanager-config.ts";
import {
  alertmanagerEscapeMode,
  alertmanagerTemplateSources,
  renderAlertmanager,
} from "./alertmanager-render.ts";
import { AlertmanagerSink } from "./alertmanager-sink.ts";
import type {
  AlertmanagerAlert,
  AlertmanagerServiceConfig,
  AlertmanagerTemplateSpec,
} from "./alertmanager-types.ts";
import {
  type AlertmanagerWirePayload,
  alertmanagerCaptureLine,
  alertmanagerWirePayload,
} from "./alertmanager-wire.ts";

export const alertmanagerService: ServiceTypeDefinition<
  AlertmanagerServiceConfig,
  AlertmanagerTemplateSpec,
  AlertmanagerAlert,
  AlertmanagerWirePayload
> = {
  type: "alertmanager",
  docs: "docs/services/alertmanager.md",
  config: { schema: alertmanagerConfigSchema },
  secrets: (c) => [c.basicAuth?.password ?? "", c.bearerToken ?? ""],
  recipients: { problem: () => undefined },
  templates: {
    section: "alertmanager",
    schema: alertmanagerTemplateSchema,
    knownKeys: Object.keys(alertmanagerTemplateSchema.shape),
    sources: alertmanagerTemplateSources,
    escapeMode: alertmanagerEscapeMode,
    builtin: builtinAlertmanagerTemplate,
  },
  part: "alertmanager",
  render: renderAlertmanager,
  wirePayload: alertmanagerWirePayload,
  captureLine: alertmanagerCaptureLine,
  resolvesOnCompletion: "a completion sends the Rollout's alert labels with endsAt = now (resolved)",
  previewConfig: (name) => ({ type: "alertmanager", name, targets: ["alertmanager.invalid:9093"] }),
  createSink: (deps) => new AlertmanagerSink(sinkOptions(deps)),
};
