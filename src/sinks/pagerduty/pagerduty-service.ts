// The PagerDuty Events API v2 service type (notifications-engine `pagerdutyv2`): alerts per Rollout revision,
// resolved by a later completion of the Rollout (incident groups, see README.md).

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinPagerDutyTemplate } from "./pagerduty-builtin.ts";
import { pagerDutyConfigSchema, pagerDutyTemplateSchema } from "./pagerduty-config.ts";
import {
  InMemoryPagerDutyIncidents,
  type PagerDutyIncidentStore,
  RedisPagerDutyIncidents,
} from "./pagerduty-incidents.ts";
import { pagerDutyEscapeMode, pagerDutyTemplateSources, renderPagerDuty } from "./pagerduty-render.ts";
import { PagerDutySink } from "./pagerduty-sink.ts";
import type { PagerDutyEvent, PagerDutyServiceConfig, PagerDutyTemplateSpec } from "./pagerduty-types.ts";
import { type PagerDutyWirePayload, pagerDutyCaptureLine, pagerDutyWirePayload } from "./pagerduty-wire.ts";

export const pagerDutyV2Service: ServiceTypeDefinition<
  PagerDutyServiceConfig,
  PagerDutyTemplateSpec,
  PagerDutyEvent,
  PagerDutyWirePayload
> = {
  type: "pagerdutyv2",
  docs: "docs/services/pagerdutyv2.md",
  config: { schema: pagerDutyConfigSchema },
  secrets: (c) => Object.values(c.serviceKeys),
  recipients: {
    problem: (c, r) => (Object.hasOwn(c.serviceKeys, r) ? undefined : `has no serviceKeys entry for "${r}"`),
  },
  templates: {
    section: "pagerdutyv2",
    schema: pagerDutyTemplateSchema,
    knownKeys: Object.keys(pagerDutyTemplateSchema.shape),
    sources: pagerDutyTemplateSources,
    escapeMode: pagerDutyEscapeMode,
    builtin: builtinPagerDutyTemplate,
  },
  part: "pagerduty",
  render: renderPagerDuty,
  wirePayload: pagerDutyWirePayload,
  captureLine: pagerDutyCaptureLine,
  resolvesOnCompletion:
    "a completion resolves the revision's alert and every alert the sink triggered for the Rollout (incidentGroup)",
  previewConfig: (name) => ({ type: "pagerdutyv2", name, serviceKeys: {} }),
  createSink: (deps) => {
    const incidents =
      (deps.state?.pagerdutyv2 as PagerDutyIncidentStore | undefined) ??
      (deps.redis ? new RedisPagerDutyIncidents(deps.redis) : new InMemoryPagerDutyIncidents());
    return new PagerDutySink({ incidents, ...sinkOptions(deps) });
  },
};
