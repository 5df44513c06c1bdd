// The email service type (notifications-engine `email`): SMTP through nodemailer, one thread per Rollout revision
// via Message-ID / In-Reply-To / References.

import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinEmailTemplate } from "./email-builtin.ts";
import { emailConfigSchema, emailTemplateSchema } from "./email-config.ts";
import { emailAddressOf } from "./email-message.ts";
import { emailEscapeMode, emailTemplateSources, renderEmail } from "./email-render.ts";
import { EmailSink } from "./email-sink.ts";
import type { EmailMessage, EmailServiceConfig, EmailTemplateSpec } from "./email-types.ts";
import { type EmailWirePayload, emailCaptureLine, emailWirePayload } from "./email-wire.ts";

export const emailService: ServiceTypeDefinition<
  EmailServiceConfig,
  EmailTemplateSpec,
  EmailMessage,
  EmailWirePayload
> = {
  type: "email",
  docs: "docs/services/email.md",
  config: { schema: emailConfigSchema },
  secrets: (c) => [c.password ?? ""],
  recipients: {
    normalize: (r) => emailAddressOf(r)?.toLowerCase() ?? r.trim(),
    problem: (_c, r) =>
      emailAddressOf(r) ? undefined : `cannot send email to ${JSON.stringify(r)} (not an email address)`,
  },
  templates: {
    section: "email",
    schema: emailTemplateSchema,
    knownKeys: Object.keys(emailTemplateSchema.shape),
    sources: emailTemplateSources,
    escapeMode: emailEscapeMode,
    builtin: builtinEmailTemplate,
  },
  part: "email",
  render: renderEmail,
  wirePayload: emailWirePayload,
  captureLine: emailCaptureLine,
  threading: "one thread per Rollout revision: In-Reply-To/References name the revision's thread id",
  previewConfig: (name) => ({
    type: "email",
    name,
    host: "smtp.example.invalid",
    port: 587,
    from: "rollouts@example.invalid",
  }),
  createSink: (deps) => new EmailSink(sinkOptions(deps)),
};
