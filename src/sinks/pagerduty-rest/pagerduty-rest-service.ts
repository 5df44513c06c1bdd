// The PagerDuty REST service type (notifications-engine `pagerduty`): incidents created on a service through the
// REST API, resolved by a later completion of the Rollout (incident groups, as the Events v2 type).

import { KEY_ROOT } from "../../redis/keys.ts";
import { sinkOptions } from "../common/sink-options.ts";
import {
  InMemoryPagerDutyIncidents,
  type PagerDutyIncidentStore,
  RedisPagerDutyIncidents,
} from "../pagerduty/pagerduty-incidents.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinPagerDutyRestTemplate } from "./pagerduty-rest-builtin.ts";
import { pagerDutyRestConfigSchema, pagerDutyRestTemplateSchema } from "./pagerduty-rest-config.ts";
import {
  pagerDutyRestEscapeMode,
  pagerDutyRestTemplateSources,
  renderPagerDutyRest,
} from "./pagerduty-rest-render.ts";
import { PagerDutyRestSink } from "./pagerduty-rest-sink.ts";
import type {
  PagerDutyIncidentRequest,
  PagerDutyRestServiceConfig,
  PagerDutyRestTemplateSpec,
} from "./pagerduty-rest-types.ts";
import {
  type PagerDutyRestWirePayload,
  pagerDutyRestCaptureLine,
  pagerDutyRestWirePayload,
} from "./pagerduty-rest-wire.ts";

export const pagerDutyRestService: ServiceTypeDefinition<
  PagerDutyRestServiceConfig,
  PagerDutyRestTemplateSpec,
  PagerDutyIncidentRequest,
  PagerDutyRestWirePayload
> = {
  type: "pagerduty",
  docs: "docs/services/pagerduty.md",
  config: { schema: pagerDutyRestConfigSchema },
  secrets: (c) => [c.token],
  recipients: {
    normalize: (r) => r.trim(),
    problem: (c, r) => {
      if (!r.trim() && !c.serviceID && !c.serviceId)
        return "needs a PagerDuty service id as recipient (or serviceID)";
      if (/[\r\n]/.test(r)) return `cannot take ${JSON.stringify(r)} (a line break)`;
      // any other string is sent as the service id, as upstream does (PagerDuty answers 400 to an unknown one)
      return undefined;
    },
  },
  templates: {
    section: "pagerduty",
    schema: pagerDutyRestTemplateSchema,
    knownKeys: Object.keys(pagerDutyRestTemplateSchema.shape),
    sources: pagerDutyRestTemplateSources,
    escapeMode: pagerDutyRestEscapeMode,
    builtin: builtinPagerDutyRestTemplate,
  },
  part: "pagerdutyIncident",
  render: renderPagerDutyRest,
  wirePayload: pagerDutyRestWirePayload,
  captureLine: pagerDutyRestCaptureLine,
  resolvesOnCompletion:
    "a completion resolves the revision's incident and every incident opened for the Rollout (incidentGroup)",
  previewConfig: (name) => ({ type: "pagerduty", name, token: "", serviceID: "PPREVIEW" }),
  createSink: (deps) => {
    const groups =
      (deps.state?.pagerduty as PagerDutyIncidentStore | undefined) ??
      (deps.redis
        ? new RedisPagerDutyIncidents(deps.redis, { keyPrefix: `${KEY_ROOT}:pagerduty-rest:` })
        : new InMemoryPagerDutyIncidents());
    return new PagerDutyRestSink({ groups, ...sinkOptions(deps) });
  },
};
