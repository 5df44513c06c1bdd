// A debug-level logger whose lines (JSON text, one per write) are kept in memory for a test to read.
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logger.ts";

export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}
