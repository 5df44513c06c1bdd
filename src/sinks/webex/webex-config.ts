// `service.webex` keys (notifications-engine: token, apiURL, insecureSkipVerify) and the template's `webex:` section.
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";

export const webexConfigSchema = z.object({
  token: nonEmpty,
  apiURL: httpUrl.optional(),
  insecureSkipVerify: z.boolean().optional(),
});

export const webexTemplateSchema = z.object({
  markdown: z.string().optional(),
});
