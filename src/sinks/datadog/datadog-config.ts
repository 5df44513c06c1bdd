// `service.datadog` keys (an extension, in the spirit of notifications-engine's newrelic: apiKey, site or apiURL,
// tags) and the template's `datadog:` section.
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";
import { datadogTagProblem } from "./datadog-request.ts";

export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "ddog-gov.com",
] as const;

const tag = z.string().superRefine((t, ctx) => {
  const why = datadogTagProblem(t);
  if (why) ctx.addIssue({ code: "custom", message: why });
});

export const datadogConfigSchema = z.object({
  apiKey: nonEmpty,
  site: z.enum(DATADOG_SITES, { message: `must be one of ${DATADOG_SITES.join(", ")}` }).optional(),
  apiURL: httpUrl.optional(),
  tags: z.array(tag).max(50).optional(),
});

export const datadogTemplateSchema = z.object({
  title: z.string().optional(),
  text: z.string().optional(),
  alertType: z.string().optional(),
  priority: z.string().optional(),
  tags: z.string().optional(),
  aggregationKey: z.string().optional(),
});
