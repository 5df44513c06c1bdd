// Time formatting for templates: `formatTime` (layout tokens, UTC) and `since`/`duration` (human durations).
// Pure: "now" is the context's `time`, never the wall clock, so a notification renders the same on retry.

/** Parses an ISO timestamp, epoch milliseconds or Date; undefined when it is not a time. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value);
  if (typeof value === "string" && value.trim() !== "") {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Formats a time in UTC. Layout tokens: YYYY MM MMM DD HH mm ss; anything else is literal. Named layouts:
 * "iso" (default, 2020-09-22T09:10:05Z), "datetime" (2020-09-22 09:10:05 UTC), "date", "time", "unix".
 * A value that is not a time renders as "" (never throws, so a missing timestamp doesn't lose the notification).
 */
export function formatTime(value: unknown, layout = "iso"): string {
  const d = toDate(value);
  if (!d) return "";
  switch (layout) {
    case "iso":
      return d.toISOString().replace(/\.000Z$/, "Z");
    case "datetime":
      return formatTime(d, "YYYY-MM-DD HH:mm:ss UTC");
    case "date":
      return formatTime(d, "YYYY-MM-DD");
    case "time":
      return formatTime(d, "HH:mm:ss");
    case "unix":
      return String(Math.floor(d.getTime() / 1000));
  }
  return layout.replace(/YYYY|MMM|MM|DD|HH|mm|ss/g, (tok) => {
    switch (tok) {
      case "YYYY":
        return String(d.getUTCFullYear());
      case "MMM":
        return MONTHS[d.getUTCMonth()]!;
      case "MM":
        return pad(d.getUTCMonth() + 1);
      case "DD":
        return pad(d.getUTCDate());
      case "HH":
        return pad(d.getUTCHours());
      case "mm":
        return pad(d.getUTCMinutes());
      default:
        return pad(d.getUTCSeconds());
    }
  });
}

/** "3d 4h", "2h 5m", "4m 10s", "12s" — the two largest units. */
export function humanDuration(ms: number): string {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const units: [string, number][] = [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  for (const [u, size] of units) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${n}${u}`);
    if (parts.length === 2) break;
  }
  const text = parts.filter((p) => !/^0[a-z]$/.test(p)).join(" ") || "0s";
  return neg ? `-${text}` : text;
}

/** Duration between two times ("" when either is not a time). */
export function durationBetween(from: unknown, to: unknown): string {
  const a = toDate(from);
  const b = toDate(to);
  if (!a || !b) return "";
  return humanDuration(b.getTime() - a.getTime());
}
