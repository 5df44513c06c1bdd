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
    // synchronous, as pino's default destination: a line is written when the call returns (none is lost when the
    // process dies); the asynchronous SonicBoom gathered lines in one string while a write was in flight and
    // measured that whole string again for every line added
    // biome-ignore lint/suspicious/noExplicitAny: pino accepts any writable stream
    (opts.destination as any) ?? pino.destination({ dest: 2, sync: true }),
  );
}

/**
 * A logger for lines whose every field name, at every depth, is one of `keys` (the caller builds each line from
 * those fields only). No redaction path can match such a line — a path matches only where all of its named
 * segments are keys of the line — so pino's per-field path check is left out for it; the secret values the
 * process knows are still scrubbed from each finished line (streamWrite). Should a path ever name one of `keys`,
 * or name nothing, this is `logger` itself, redacted like any line.
 */
export function fixedShapeLogger(logger: Logger, keys: readonly string[]): Logger {
  const names = new Set(keys);
  const disjoint = REDACT_PATHS.every((path) => {
    const named = path.split(".").filter((segment) => segment !== "*");
    return named.length > 0 && named.every((segment) => !names.has(segment));
  });
  return disjoint ? logger.child({}, { redact: { paths: [], censor: "[redacted]" } }) : logger;
}

/**
 * Whether every field name of `line`, at every depth, is one of `keys` (no arrays): a line a
 * fixedShapeLogger(…, keys) may write as it is. Allocates nothing, so a caller can check each line it did not
 * build field by field itself and send any other line to the redacting logger.
 */
export function hasFixedShape(line: object, keys: ReadonlySet<string>): boolean {
  if (Array.isArray(line)) return false;
  for (const key in line) {
    if (!keys.has(key)) return false;
    const value = (line as Record<string, unknown>)[key];
    if (value !== null && typeof value === "object" && !hasFixedShape(value, keys)) return false;
  }
  return true;
}

export type { Logger };
