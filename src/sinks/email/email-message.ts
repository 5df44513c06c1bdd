// What an email delivery sends (pure): the nodemailer message for one recipient — used by the sink and by
// `replay --dry-run`, so both show the same fields. Threading (RFC 5322): every email gets a Message-ID derived from
// its job id (the same on retries, so receivers can drop a duplicate); emails with a threadKey carry In-Reply-To and
// References naming the thread's id, derived from the key, so mail clients group a revision's emails — no state.
import { createHash } from "node:crypto";
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { EmailServiceConfig } from "./email-types.ts";

export interface EmailEnvelope {
  from: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
}

const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/** "Ops <ops@example.com>" / "ops@example.com" → "ops@example.com" (undefined when not one address). */
export function emailAddressOf(recipient: string): string | undefined {
  const t = recipient.trim();
  const m = /^[^<>\r\n]*<([^<>]+)>$/.exec(t);
  const addr = (m ? m[1]! : t).trim();
  return ADDRESS.test(addr) ? addr : undefined;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

function domainOf(from: string): string {
  return emailAddressOf(from)?.split("@")[1]?.toLowerCase() ?? "rollouts-notifier.invalid";
}

/** The Message-ID a thread key stands for (In-Reply-To/References of the thread's emails). */
export const threadMessageId = (threadKey: string, from: string) =>
  `<thread.${hash(threadKey)}@${domainOf(from)}>`;

export function buildEmail(input: {
  service: EmailServiceConfig;
  recipient: string;
  notification: Notification;
  jobId: string;
}): EmailEnvelope {
  const { service, notification } = input;
  const where = `email service ${JSON.stringify(service.name)} recipient ${JSON.stringify(input.recipient)}`;
  const to = emailAddressOf(input.recipient);
  if (!to) {
    throw new DeliveryError(`${where}: not an email address`, {
      transient: false,
      code: "invalid_recipient",
    });
  }
  const email = notification.email;
  const body = email?.body || notification.message;
  if (!body)
    throw new DeliveryError(`${where}: empty message`, { transient: false, code: "invalid_message" });
  const out: EmailEnvelope = {
    from: service.from,
    to,
    subject: email?.subject ?? "",
    messageId: `<${hash(input.jobId)}@${domainOf(service.from)}>`,
  };
  // SMTP ends the DATA with a line break: the text as received always ends with one
  if (service.html) out.html = body;
  else out.text = body.endsWith("\n") ? body : `${body}\n`;
  if (email?.threadKey) {
    const thread = threadMessageId(email.threadKey, service.from);
    out.inReplyTo = thread;
    out.references = thread;
  }
  return out;
}
