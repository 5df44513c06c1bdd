import { type Logger, pino } from "pino";
import { processRedactor } from "./redaction/secret-redactor.ts";

/** Field paths that may hold secrets; pino replaces them with "[redacted]". */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "password",
  "*.password",
  "*.*.password",
  "bearerToken",
  "*.bearerToken",
  "signingSecret",
  "*.signingSecret",
  "serviceKeys",
  "*.serviceKeys",
  "routing_key",
  "*.routing_key",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  "secret",
  "*.secret",
];

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? "info",
      base: { svc: "rollouts-notifier" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      // every secret value the process knows, in every encoding, is scrubbed from the finished line: whatever
      // field or message carried it (a remote's error text, an echoed header, a URL with userinfo)
      hooks: { streamWrite: (line: string) => processRedactor.redact(line) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // biome-ignore lint/suspicious/noExplicitAny: pino accepts any writable stream
    (opts.destination as any) ?? pino.destination(2),
  );
}

export type { Logger };
