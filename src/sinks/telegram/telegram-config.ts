// `service.telegram` keys: `token` (notifications-engine), `apiURL` (extension: a Bot API server of your own), and
// the template's `telegram:` section.
import { z } from "zod";
import { httpUrl } from "../shared/config-schemas.ts";

export const telegramConfigSchema = z.object({
  token: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { message: "must be a bot token (<bot id>:<secret>)" }),
  apiURL: httpUrl.optional(),
});

export const telegramTemplateSchema = z.object({
  text: z.string().optional(),
  parseMode: z.enum(["Markdown", "MarkdownV2", "HTML", ""]).optional(),
  threadKey: z.string().optional(),
});
