// The Opsgenie service type (notifications-engine `opsgenie`): Alert API v2, alerts per Rollout revision (alias),
// closed by a later completion of the Rollout; US (api.opsgenie.com) or EU (api.eu.opsgenie.com) API.

import { KEY_ROOT } from "../../redis/keys.ts";
import { sinkOptions } from "../common/sink-options.ts";
import {
  InMemoryPagerDutyIncidents,
  type PagerDutyIncidentStore,
  RedisPagerDutyIncidents,
} from "../pagerduty/pagerduty-incidents.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinOpsgenieTemplate } from "./opsgenie-builtin.ts";
import { opsgenieConfigSchema, opsgenieTemplateSchema } from "./opsgenie-config.ts";
import { opsgenieEscapeMode, opsgenieTemplateSources, renderOpsgenie } from "./opsgenie-render.ts";
import { OpsgenieSink } from "./opsgenie-sink.ts";
import type { OpsgenieAlert, OpsgenieServiceConfig, OpsgenieTemplateSpec } from "./opsgenie-types.ts";
import { type OpsgenieWirePayload, opsgenieCaptureLine, opsgenieWirePayload } from "./opsgenie-wire.ts";

export const opsgenieService: ServiceTypeDefinition<
  OpsgenieServiceConfig,
  OpsgenieTemplateSpec,
  OpsgenieAlert,
  OpsgenieWirePayload
> = {
  type: "opsgenie",
  docs: "docs/services/opsgenie.md",
  config: { schema: opsgenieConfigSchema },
  secrets: (c) => Object.values(c.apiKeys),
  recipients: {
    problem: (c, r) => (Object.hasOwn(c.apiKeys, r) ? undefined : `has no apiKeys entry for team "${r}"`),
  },
  templates: {
    section: "opsgenie",
    schema: opsgenieTemplateSchema,
    knownKeys: Object.keys(opsgenieTemplateSchema.shape),
    sources: opsgenieTemplateSources,
    escapeMode: opsgenieEscapeMode,
    builtin: builtinOpsgenieTemplate,
  },
  part: "opsgenie",
  render: renderOpsgenie,
  wirePayload: opsgenieWirePayload,
  captureLine: opsgenieCaptureLine,
  resolvesOnCompletion:
    "a completion closes the revision's alert and every alert created for the Rollout (alertGroup)",
  previewConfig: (name) => ({ type: "opsgenie", name, apiKeys: {} }),
  createSink: (deps) => {
    const groups =
      (deps.state?.opsgenie as PagerDutyIncidentStore | undefined) ??
      (deps.redis
        ? new RedisPagerDutyIncidents(deps.redis, { keyPrefix: `${KEY_ROOT}:opsgenie:` })
        : new InMemoryPagerDutyIncidents());
    return new OpsgenieSink({ groups, ...sinkOptions(deps) });
  },
};
