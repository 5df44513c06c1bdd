// `service.email` keys, as notifications-engine documents them (host, port, username, password, from, html,
// insecure_skip_verify), and the template's `email:` section (subject, body; threadKey is an extension).
import { z } from "zod";
import { nonEmpty } from "../common/config-schemas.ts";

export const emailConfigSchema = z.object({
  host: nonEmpty,
  port: z.number().int().min(1).max(65535),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$|^[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>$/, {
    message: "must be an email address (user@example.com or Name <user@example.com>)",
  }),
  html: z.boolean().optional(),
  insecure_skip_verify: z.boolean().optional(),
});

export const emailTemplateSchema = z.object({
  subject: z.string().optional(),
  body: z.string().optional(),
  threadKey: z.string().optional(),
});
