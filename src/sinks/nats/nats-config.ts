// `service.nats` keys (notifications-engine NatsOptions: url, headers, nkey, username, password) and the template's
// `nats:` section (extension: `data`, the message's payload).
import { z } from "zod";
import { NATS_HEADER_NAME, parseNatsServers } from "./nats-request.ts";

export const natsConfigSchema = z.object({
  url: z.string().superRefine((s, ctx) => {
    const parsed = parseNatsServers(s);
    if ("problem" in parsed) ctx.addIssue({ code: "custom", message: parsed.problem });
  }),
  headers: z
    .record(
      z.string().regex(NATS_HEADER_NAME, { message: "must be a header name (letters, digits, -, _)" }),
      z.string().refine((v) => !/[\r\n]/.test(v), { message: "must not contain a line break" }),
    )
    .optional(),
  nkey: z
    .string()
    .regex(/^SU[A-Z2-7]{56}$/, { message: "must be a user NKey seed (SU…, 58 characters)" })
    .optional(),
  username: z.string().optional(),
  password: z.string().optional(),
});

export const natsTemplateSchema = z.object({
  data: z.string().optional(),
});
