// `service.newrelic` keys (notifications-engine: apiKey, apiURL) and the template's `newrelic:` section.
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";

export const newrelicConfigSchema = z.object({
  apiKey: nonEmpty,
  apiURL: httpUrl.optional(),
});

export const newrelicTemplateSchema = z.object({
  revision: z.string().optional(),
  changelog: z.string().optional(),
  description: z.string().optional(),
  user: z.string().optional(),
});
