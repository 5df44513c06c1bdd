// `service.teams-workflows` keys (notifications-engine: recipientUrls, rawCardPayload) and the template's
// `teams-workflows:` section (title, text, summary, themeColor, facts, sections, potentialAction, adaptiveCard,
// template).
import { z } from "zod";
import { httpUrl, jsonText } from "../common/config-schemas.ts";

export const teamsWorkflowsConfigSchema = z.object({
  recipientUrls: z.record(z.string(), httpUrl).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one channel",
  }),
  rawCardPayload: z.boolean().optional(),
});

export const teamsWorkflowsTemplateSchema = z.object({
  title: z.string().optional(),
  text: z.string().optional(),
  summary: z.string().optional(),
  themeColor: z.string().optional(),
  facts: jsonText.optional(),
  sections: jsonText.optional(),
  potentialAction: jsonText.optional(),
  adaptiveCard: jsonText.optional(),
  template: jsonText.optional(),
});
