// `service.grafana` keys (notifications-engine: apiUrl, apiKey, insecureSkipVerify; extensions: dashboardUID,
// panelId) and the template's `grafana:` section (extensions: text, tags, region, endsRegion).
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";

export const grafanaConfigSchema = z.object({
  apiUrl: httpUrl,
  apiKey: nonEmpty,
  insecureSkipVerify: z.boolean().optional(),
  dashboardUID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, { message: "must be a dashboard UID (letters, digits, - and _)" })
    .optional(),
  panelId: z.number().int().positive().optional(),
});

/** Upstream transport tuning, accepted without effect (connections are pooled here). */
export const GRAFANA_IGNORED_KEYS = [
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

export const grafanaTemplateSchema = z.object({
  text: z.string().optional(),
  tags: z.string().optional(),
  region: z.string().optional(),
  endsRegion: z.string().optional(),
});
