// `service.gcppubsub` keys (notifications-engine GcpPubsubOptions: project, topic, keyFile; extensions: keyJSON, the
// key file's content from the Secret, and endpoint) and the template's `gcppubsub:` section (upstream's attributes;
// extension: data). Messages never quote a key (it is a secret).
import { z } from "zod";
import { httpUrl } from "../common/config-schemas.ts";
import { PROJECT_ID, parseServiceAccountKey, topicProblem } from "./gcppubsub-request.ts";

export const gcppubsubConfigSchema = z.object({
  project: z.string().regex(PROJECT_ID, {
    message: "must be a project id (6–30 lowercase letters, digits and hyphens, starting with a letter)",
  }),
  topic: z
    .string()
    .superRefine((s, ctx) => {
      const why = topicProblem(s);
      if (why) ctx.addIssue({ code: "custom", message: why });
    })
    .optional(),
  keyFile: z
    .string()
    .min(1, { message: "must be a path (or leave it out for Application Default Credentials)" })
    .optional(),
  keyJSON: z
    .string()
    .superRefine((s, ctx) => {
      const key = parseServiceAccountKey(s);
      if ("problem" in key) ctx.addIssue({ code: "custom", message: key.problem });
    })
    .optional(),
  endpoint: httpUrl.optional(),
});

export const gcppubsubTemplateSchema = z.object({
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .optional(),
  data: z.string().optional(),
});
