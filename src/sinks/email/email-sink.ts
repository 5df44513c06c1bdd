// Email sink: one SMTP transaction per notification and recipient through nodemailer (implicit TLS on port 465,
// STARTTLS when the server offers it, AUTH with username/password when set — upstream's behaviour).
// SMTP replies classify failures: 4xx (e.g. 421, 450, 451, 452) and connection errors/timeouts are transient;
// 5xx (e.g. 535 authentication failed, 550 mailbox unavailable, 552 too large) are permanent. SMTP has no
// Retry-After. Namespace-defined services may not reach private addresses: the host is resolved here, every
// address checked (SSRF guard), and the connection made to the checked address (TLS still verifies the host name).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type nodemailerModule from "nodemailer";
import type { Logger } from "../../logger.ts";
import { blockedAddressDeliveryError, deliveryErrorForNetwork } from "../delivery-errors.ts";
import { blockedAddressReason } from "../http/blocked-addresses.ts";
import { BlockedAddressError } from "../http/guarded-connector.ts";
import type { HttpDispatchers } from "../http/http-dispatchers.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildEmail } from "./email-message.ts";
import type { EmailServiceConfig } from "./email-types.ts";

export const EMAIL_TIMEOUT_MS = 30_000;

export interface EmailSinkOptions {
  dispatchers: HttpDispatchers;
  logger: Logger;
  timeoutMs?: number;
  allowPrivateNetworks?: boolean;
  now?: () => number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

export class EmailSink implements Sink<EmailServiceConfig> {
  readonly type = "email" as const;
  readonly #opts: EmailSinkOptions;

  constructor(opts: EmailSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<EmailServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const where = `email service ${JSON.stringify(service.name)} (${service.host}:${service.port}) recipient ${JSON.stringify(delivery.destination.recipient)}`;
    const message = buildEmail({
      service,
      recipient: delivery.destination.recipient,
      notification: delivery.notification,
      jobId: delivery.jobId,
    });
    const guarded = delivery.tenantNamespace !== undefined && !this.#opts.allowPrivateNetworks;
    let host = service.host;
    try {
      if (guarded) host = await checkedAddress(service.host);
    } catch (err) {
      throw (
        blockedAddressDeliveryError(where, delivery.tenantNamespace, err) ??
        deliveryErrorForNetwork(where, err)
      );
    }
    const timeoutMs = this.#opts.timeoutMs ?? EMAIL_TIMEOUT_MS;
    const nodemailer = await loadNodemailer();
    const transport = nodemailer.createTransport({
      host,
      port: service.port,
      secure: service.port === 465,
      ...(service.username ? { auth: { user: service.username, pass: service.password ?? "" } } : {}),
      tls: { rejectUnauthorized: service.insecure_skip_verify !== true, servername: service.host },
      name: "rollouts-notifier",
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
    });
    try {
      const info = await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.html !== undefined ? { html: message.html } : {}),
        messageId: message.messageId,
        ...(message.inReplyTo ? { inReplyTo: message.inReplyTo, references: message.references } : {}),
      });
      this.#opts.logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: service.name,
          recipient: delivery.destination.recipient,
          messageId: message.messageId,
        },
        "email sent",
      );
      return { ref: info.messageId ?? message.messageId };
    } catch (err) {
      throw smtpDeliveryError(where, err);
    } finally {
      transport.close();
    }
  }
}

let nodemailerLoaded: Promise<typeof nodemailerModule> | undefined;

/** nodemailer, loaded by the first email (not with the service: most installations send none). */
function loadNodemailer(): Promise<typeof nodemailerModule> {
  nodemailerLoaded ??= import("nodemailer").then((m) => m.default);
  return nodemailerLoaded;
}

/** The host's address after checking every address it resolves to; throws BlockedAddressError. */
async function checkedAddress(host: string): Promise<string> {
  const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  for (const a of addresses) {
    const why = blockedAddressReason(a.address);
    if (why !== undefined) throw new BlockedAddressError(host, a.address, why);
  }
  const first = addresses[0];
  if (!first) throw Object.assign(new Error(`no address for ${host}`), { code: "ENOTFOUND" });
  return first.address;
}

/** SMTP reply codes: 4xx transient, 5xx permanent; no reply (connection, timeout) transient. */
export function smtpDeliveryError(where: string, err: unknown): DeliveryError {
  const e = (err ?? {}) as SmtpError;
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  if (reply !== undefined) {
    const transient = reply < 500;
    const text = (e.response ?? "").replace(/\s+/g, " ").slice(0, 300);
    return new DeliveryError(`${where}: SMTP ${e.command ?? "reply"} ${reply}: ${text}`, {
      transient,
      code: `smtp_${reply}`,
    });
  }
  if (e.code === "EAUTH" || e.code === "EENVELOPE" || e.code === "EMESSAGE") {
    return new DeliveryError(`${where}: ${e.code}`, { transient: false, code: e.code.toLowerCase() });
  }
  return deliveryErrorForNetwork(where, err);
}
