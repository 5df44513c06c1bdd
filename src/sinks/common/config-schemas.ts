// zod building blocks the service types' config schemas share.
import { z } from "zod";

export const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  },
  { message: "must be an absolute http(s) URL" },
);
export const nonEmpty = z.string().min(1, { message: "must not be empty" });
export const header = z.object({ name: nonEmpty, value: z.string() });

/** attachments/blocks/cards are JSON text after rendering; a YAML list/map is accepted and serialised. */
export const jsonText = z
  .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .transform((v) => (typeof v === "string" ? v : JSON.stringify(v)));

/** Template header: name and a value template. */
export const templateHeader = z.object({ name: z.string().min(1), value: z.string() });
