// `service.pagerdutyv2` keys (notifications-engine's PagerDutyV2Options names) and the template's `pagerdutyv2:`
// section.
import { z } from "zod";
import { httpUrl } from "../common/config-schemas.ts";

export const pagerDutyConfigSchema = z.object({
  // a Secret-filled key may be "" as upstream accepts it (a load warning; sends then fail): see resolveSecretRefs
  serviceKeys: z.record(z.string(), z.string()).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one PagerDuty service",
  }),
  apiURL: httpUrl.optional(),
});

export const pagerDutyTemplateSchema = z.object({
  summary: z.string().optional(),
  severity: z.string().optional(),
  source: z.string().optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  dedupKey: z.string().optional(),
  eventAction: z.string().optional(),
  customDetails: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  url: z.string().optional(),
});
