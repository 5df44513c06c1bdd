// `service.pushover` keys: `token` (notifications-engine; the client checks it is 30 letters/digits), `apiURL`
// (extension: an API server of your own), and the template's `pushover:` section.
import { z } from "zod";
import { httpUrl } from "../common/config-schemas.ts";
import { PUSHOVER_KEY } from "./pushover-request.ts";

export const pushoverConfigSchema = z.object({
  token: z.string().regex(PUSHOVER_KEY, { message: "must be an application token (30 letters and digits)" }),
  apiURL: httpUrl.optional(),
});

export const pushoverTemplateSchema = z.object({
  title: z.string().optional(),
  message: z.string().optional(),
  priority: z.union([z.string(), z.number()]).transform(String).optional(),
  url: z.string().optional(),
  urlTitle: z.string().optional(),
  sound: z.string().optional(),
});
