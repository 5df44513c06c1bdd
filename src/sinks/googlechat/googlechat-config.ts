// `service.googlechat` keys (notifications-engine: webhooks) and the template's `googlechat:` section (cards,
// cardsV2 — YAML or JSON lists — and threadKey).
import { z } from "zod";
import { httpUrl, jsonText } from "../common/config-schemas.ts";

export const googleChatConfigSchema = z.object({
  webhooks: z.record(z.string(), httpUrl).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one space",
  }),
});

export const googleChatTemplateSchema = z.object({
  cards: jsonText.optional(),
  cardsV2: jsonText.optional(),
  threadKey: z.string().optional(),
});
