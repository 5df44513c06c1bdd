// `service.mattermost` keys (notifications-engine MattermostOptions: apiURL, token, insecureSkipVerify, and the
// HTTP transport options it shares with other types) and the template's `mattermost:` section.
import { z } from "zod";
import { httpUrl, jsonText } from "../common/config-schemas.ts";

// The token usually comes from the Secret: "" is accepted as upstream does (a warning at load; sends then fail).
export const mattermostConfigSchema = z.object({
  apiURL: httpUrl,
  token: z.string(),
  insecureSkipVerify: z.boolean().optional(),
});

/** Upstream keys we accept without effect (connection pooling is ours). */
export const MATTERMOST_IGNORED_KEYS = [
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

export const mattermostTemplateSchema = z.object({
  attachments: jsonText.optional(),
  groupingKey: z.string().optional(),
  deliveryPolicy: z.enum(["Post", "PostAndUpdate", "Update"]).optional(),
  threadRoot: z.object({ message: z.string().optional(), attachments: jsonText.optional() }).optional(),
});
