// `service.teams` keys (notifications-engine: recipientUrls) and the template's `teams:` section (template, title,
// summary, text, themeColor, facts, sections, potentialAction).
import { z } from "zod";
import { httpUrl, jsonText } from "../common/config-schemas.ts";

export const teamsConfigSchema = z.object({
  recipientUrls: z.record(z.string(), httpUrl).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one channel",
  }),
});

export const teamsTemplateSchema = z.object({
  template: jsonText.optional(),
  title: z.string().optional(),
  summary: z.string().optional(),
  text: z.string().optional(),
  themeColor: z.string().optional(),
  facts: jsonText.optional(),
  sections: jsonText.optional(),
  potentialAction: jsonText.optional(),
});
