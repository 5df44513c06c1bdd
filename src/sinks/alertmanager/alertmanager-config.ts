// `service.alertmanager` keys and the template's `alertmanager:` section, as notifications-engine documents them
// (labels, annotations, generatorURL; endsAt is an extension).
import { z } from "zod";
import { nonEmpty } from "../common/config-schemas.ts";

export const alertmanagerConfigSchema = z.object({
  targets: z
    .array(
      z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/, {
        message: "must be host:port",
      }),
    )
    .min(1, { message: "must list at least one Alertmanager" }),
  scheme: z.enum(["http", "https"]).optional(),
  apiPath: z.string().startsWith("/", { message: "must start with /" }).optional(),
  insecureSkipVerify: z.boolean().optional(),
  basicAuth: z.object({ username: z.string(), password: z.string() }).optional(),
  bearerToken: nonEmpty.optional(),
});

export const alertmanagerTemplateSchema = z.object({
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generatorURL: z.string().optional(),
  endsAt: z.string().optional(),
});
