// Slack Web API arguments as Slack reads them: application/x-www-form-urlencoded (complex values are
// JSON-encoded strings, booleans "true"/"1"), application/json (values as-is), or the query string.
import type { IncomingMessage } from "node:http";

export class SlackArgs {
  readonly raw: Record<string, unknown>;
  readonly isJson: boolean;

  private constructor(raw: Record<string, unknown>, isJson: boolean) {
    this.raw = raw;
    this.isJson = isJson;
  }

  /** Throws Error(<slack error code>) for bodies Slack would refuse. */
  static parse(req: IncomingMessage, body: Buffer, url: URL): SlackArgs {
    const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const type = String(req.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    if (body.length === 0) return new SlackArgs(raw, false);
    if (type === "application/json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw new Error("invalid_json");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("invalid_json");
      return new SlackArgs({ ...raw, ...(parsed as Record<string, unknown>) }, true);
    }
    if (type === "application/x-www-form-urlencoded") {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) raw[k] = v;
      return new SlackArgs(raw, false);
    }
    throw new Error("invalid_form_data");
  }

  string(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === "string" ? v : String(v);
  }

  bool(name: string): boolean {
    const v = this.raw[name];
    return v === true || v === "true" || v === "1" || v === 1;
  }

  /** A JSON array argument (string-encoded in forms); `error` when present but not an array. */
  jsonArray(name: string, error: string): { value?: unknown[] } | { error: string } {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") return {};
    let parsed: unknown = v;
    if (typeof v === "string") {
      try {
        parsed = JSON.parse(v);
      } catch {
        return { error: `${error}_format` };
      }
    }
    if (!Array.isArray(parsed)) return { error };
    return { value: parsed };
  }

  /** A JSON object argument; "invalid" when present but not an object. */
  jsonObject(name: string): Record<string, unknown> | undefined | "invalid" {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") return undefined;
    let parsed: unknown = v;
    if (typeof v === "string") {
      try {
        parsed = JSON.parse(v);
      } catch {
        return "invalid";
      }
    }
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : "invalid";
  }
}
