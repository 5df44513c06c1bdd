// `service.slack` keys (notifications-engine's SlackOptions names) and the template's `slack:` section.
import { z } from "zod";
import { httpUrl, jsonText } from "../common/config-schemas.ts";

// Fields a Secret usually fills accept "" as upstream does (an empty Secret value is a warning at load; the sends
// fail and are retried, then dead-lettered): see resolveSecretRefs.
export const slackConfigSchema = z.object({
  token: z.string(),
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
