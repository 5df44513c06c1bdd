// `service.telegram` keys: `token` (notifications-engine), `apiURL` (extension: a Bot API server of your own), and
// the template's `telegram:` section.
import { z } from "zod";
import { httpUrl } from "../common/config-schemas.ts";

export const telegramConfigSchema = z.object({
  // upstream takes any string (Telegram answers 401 to a bad one: dead-lettered)
  token: z.string(),
  apiURL: httpUrl.optional(),
});

export const telegramTemplateSchema = z.object({
  text: z.string().optional(),
  parseMode: z.enum(["Markdown", "MarkdownV2", "HTML", ""]).optional(),
  threadKey: z.string().optional(),
});
