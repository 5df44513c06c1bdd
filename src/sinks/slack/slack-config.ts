// `service.slack` keys (notifications-engine's SlackOptions names) and the template's `slack:` section.
import { z } from "zod";
import { httpUrl, jsonText, nonEmpty } from "../shared/config-schemas.ts";

export const slackConfigSchema = z.object({
  token: nonEmpty,
  apiURL: httpUrl.optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
  signingSecret: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
});

/** Upstream keys we accept without effect. */
export const SLACK_IGNORED_KEYS = [
  "channels",
  "disableUnfurl",
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

export const slackTemplateSchema = z.object({
  text: z.string().optional(),
  attachments: jsonText.optional(),
  blocks: jsonText.optional(),
  groupingKey: z.string().optional(),
  notifyBroadcast: z.boolean().optional(),
  deliveryPolicy: z.enum(["Post", "PostAndUpdate", "Update"]).optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
});
