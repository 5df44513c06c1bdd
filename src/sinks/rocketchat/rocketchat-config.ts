// `service.rocketchat` keys (notifications-engine: email, password, serverUrl, alias, icon, avatar) and the
// template's `rocketchat:` section (attachments; text as an extension).
import { z } from "zod";
import { httpUrl, jsonText, nonEmpty } from "../common/config-schemas.ts";

export const rocketChatConfigSchema = z.object({
  email: nonEmpty,
  password: nonEmpty,
  serverUrl: httpUrl.optional(),
  alias: z.string().optional(),
  icon: z
    .string()
    .regex(/^:.+:$/, { message: "must be an emoji (:name:)" })
    .optional(),
  avatar: httpUrl.optional(),
});

export const rocketChatTemplateSchema = z.object({
  text: z.string().optional(),
  attachments: jsonText.optional(),
});
