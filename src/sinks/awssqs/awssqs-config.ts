// `service.awssqs` keys (notifications-engine AwsSqsOptions: queue, account, region, endpointUrl, key, secret; plus
// sessionToken and delaySeconds) and the template's `awssqs:` section (upstream: messageAttributes, messageGroupId;
// extensions: body, messageDeduplicationId).
import { z } from "zod";
import { httpUrl } from "../common/config-schemas.ts";
import { SQS_QUEUE_NAME, sqsAttributeNameProblem } from "./awssqs-request.ts";

export const awsSqsConfigSchema = z.object({
  queue: z
    .string()
    .regex(SQS_QUEUE_NAME, {
      message: "must be a queue name (1-80 letters, digits, - and _, optionally ending in .fifo)",
    })
    .optional(),
  // an unquoted account id is a YAML number
  account: z
    .union([z.string(), z.number().int().nonnegative()])
    .transform(String)
    .pipe(z.string().regex(/^\d{1,12}$/, { message: "must be an AWS account id (digits)" }))
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z0-9]+)+-\d+$/, { message: "must be an AWS region, e.g. us-east-1" })
    .optional(),
  endpointUrl: httpUrl.optional(),
  key: z.string().optional(),
  secret: z.string().optional(),
  sessionToken: z.string().optional(),
  delaySeconds: z.number().int().min(0).max(900).optional(),
});

export const awsSqsTemplateSchema = z.object({
  body: z.string().optional(),
  messageAttributes: z
    .record(
      z.string().superRefine((name, ctx) => {
        const why = sqsAttributeNameProblem(name);
        if (why) ctx.addIssue({ code: "custom", message: why });
      }),
      z.union([z.string(), z.number(), z.boolean()]).transform(String),
    )
    .optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
});
