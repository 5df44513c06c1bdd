// `service.opsgenie` keys (notifications-engine names: apiUrl, apiKeys) and the template's `opsgenie:` section
// (description, priority, alias, note; tags, action, alertGroup are extensions).
import { z } from "zod";
import { nonEmpty } from "../common/config-schemas.ts";

export const opsgenieConfigSchema = z.object({
  // upstream takes any string (a host such as api.eu.opsgenie.com, or a URL); a bad one fails at send time
  apiUrl: z.string().optional(),
  apiKeys: z.record(z.string(), nonEmpty).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one team",
  }),
});

export const opsgenieTemplateSchema = z.object({
  description: z.string().optional(),
  priority: z.string().optional(),
  alias: z.string().optional(),
  note: z.string().optional(),
  tags: z.string().optional(),
  action: z.string().optional(),
  alertGroup: z.string().optional(),
});
