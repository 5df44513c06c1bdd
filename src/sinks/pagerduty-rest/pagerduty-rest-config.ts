// `service.pagerduty` keys as notifications-engine reads them (token, from, serviceID — Go's JSON matching is
// case-insensitive, so serviceId works too) plus apiURL; the template's `pagerduty:` section (title, body, urgency,
// priorityID/priorityId; incidentKey, action, incidentGroup are extensions).
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";

export const pagerDutyRestConfigSchema = z.object({
  token: nonEmpty,
  // upstream takes any string (PagerDuty checks it: a wrong one is a 400 at send time)
  from: z.string().optional(),
  serviceID: z.string().optional(),
  serviceId: z.string().optional(),
  apiURL: httpUrl.optional(),
});

export const pagerDutyRestTemplateSchema = z.object({
  title: z.string().optional(),
  body: z.string().optional(),
  urgency: z.string().optional(),
  priorityID: z.string().optional(),
  priorityId: z.string().optional(),
  incidentKey: z.string().optional(),
  action: z.string().optional(),
  incidentGroup: z.string().optional(),
});
