// `replay --dry-run`/`--capture` view of an email delivery: the SMTP server and the message the sink would send.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildEmail, type EmailEnvelope } from "./email-message.ts";
import type { EmailServiceConfig } from "./email-types.ts";

export interface EmailWirePayload {
  type: "email";
  server: string;
  message: EmailEnvelope;
}

export function emailWirePayload(input: WirePayloadInput<EmailServiceConfig>): EmailWirePayload {
  const message = buildEmail({
    service: input.service,
    recipient: input.destination.recipient,
    notification: input.notification,
    jobId: input.jobId,
  });
  return { type: "email", server: `${input.service.host}:${input.service.port}`, message };
}

export function emailCaptureLine(c: CapturedPayload<EmailWirePayload>): string {
  const m = c.payload.message;
  const thread = m.references ? " [thread]" : "";
  return `email ${m.to}${thread}  ${oneLine(m.subject, 80)} — ${oneLine(m.text ?? m.html ?? "", 100)}`;
}
