// A stand-in mail server: a real SMTP server (the smtp-server package, the server half of nodemailer) on a free
// 127.0.0.1 port. It requires AUTH (PLAIN/LOGIN) with the configured user and password (535 5.7.8 otherwise),
// checks the envelope (one valid sender and recipient addresses, 553 otherwise), limits the size (SIZE 10 MB, 552),
// parses every message (mailparser) and requires the RFC 5322 headers (From, Date, Message-ID: 554 otherwise). It
// can be told to answer the next DATA with a reply code (451/421/452 transient, 550/554 permanent, with a text that
// may echo the credentials) or to answer it late and drop the message.
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { sleep } from "./fakes/http-fake.ts";

export interface FakeSmtpMessage {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
  user: string | undefined;
}

export type FakeSmtpFailure = { reply: number; text?: string } | { delayMs: number };

const MAX_SIZE = 10 * 1024 * 1024;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

export class FakeSmtp {
  /** Accepted messages, in order. */
  readonly messages: FakeSmtpMessage[] = [];
  /** Every DATA received (accepted or not), raw. */
  readonly received: string[] = [];
  readonly #failures: FakeSmtpFailure[] = [];
  readonly #server: SMTPServer;
  port = 0;

  private constructor(opts: { username: string; password: string }) {
    this.#server = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      size: MAX_SIZE,
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (auth.username === opts.username && auth.password === opts.password)
          return cb(null, { user: auth.username });
        const err = Object.assign(new Error("5.7.8 Authentication credentials invalid"), {
          responseCode: 535,
        });
        cb(err);
      },
      onMailFrom: (address, session, cb) => {
        if (!session.user)
          return cb(Object.assign(new Error("5.7.0 Authentication required"), { responseCode: 530 }));
        if (!ADDRESS.test(address.address))
          return cb(Object.assign(new Error("5.1.7 Bad sender address"), { responseCode: 553 }));
        cb();
      },
      onRcptTo: (address, _session, cb) => {
        if (!ADDRESS.test(address.address))
          return cb(Object.assign(new Error("5.1.3 Bad recipient address"), { responseCode: 553 }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          void (async () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            this.received.push(raw);
            if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
              return cb(Object.assign(new Error("5.3.4 Message too big"), { responseCode: 552 }));
            }
            const failure = this.#failures.shift();
            if (failure && "delayMs" in failure) {
              await sleep(failure.delayMs);
              return cb(Object.assign(new Error("4.4.2 Timed out, message dropped"), { responseCode: 451 }));
            }
            if (failure)
              return cb(
                Object.assign(new Error(failure.text ?? "4.3.0 Try again later"), {
                  responseCode: failure.reply,
                }),
              );
            const parsed = await simpleParser(raw);
            const missing = ["from", "date", "message-id"].filter((h) => !parsed.headers.has(h));
            if (missing.length) {
              return cb(
                Object.assign(new Error(`5.6.0 Missing header(s): ${missing.join(", ")}`), {
                  responseCode: 554,
                }),
              );
            }
            this.messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
              user: session.user as string | undefined,
            });
            cb(null);
          })().catch((err: unknown) => cb(err as Error));
        });
      },
    });
  }

  static async start(opts: { username: string; password: string }): Promise<FakeSmtp> {
    const fake = new FakeSmtp(opts);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once("error", reject);
      fake.#server.listen(0, "127.0.0.1", () => resolve());
    });
    fake.port = (fake.#server.server.address() as { port: number }).port;
    return fake;
  }

  /** The next DATA is answered this way. */
  fail(f: FakeSmtpFailure): void {
    this.#failures.push(f);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
