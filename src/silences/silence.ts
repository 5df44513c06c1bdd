// A silence: notifications matching it are recorded as silenced (visible in the console, never sent) while it
// is active. Pure: matching, validation of what an operator asks for.
import type { NotificationJob } from "../queue/notification-job.ts";

export interface SilenceMatchers {
  namespace?: string;
  /** Rollout name. */
  rollout?: string;
  /** Every label must be on the Rollout (or on the object when it has no Rollout). */
  labels?: Record<string, string>;
  trigger?: string;
  service?: string;
  recipient?: string;
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
  /** On expiry, send one message per destination listing what was held back. */
  summary: boolean;
  expiredBy?: string;
}

export interface SilenceRequest {
  matchers: SilenceMatchers;
  startsAt?: string | number;
  endsAt?: string | number;
  /** Go-like duration ("30m", "2h", "1h30m", "45s") from startsAt; instead of endsAt. */
  duration?: string;
  comment: string;
  summary?: boolean;
}

export class SilenceRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SilenceRequestError";
  }
}

const MATCHER_KEYS = ["namespace", "rollout", "trigger", "service", "recipient"] as const;
const MAX_FIELD = 253;
const MAX_COMMENT = 1_000;
const MAX_LABELS = 20;
const MAX_SPAN_MS = 90 * 24 * 3600_000;

/** "1h30m" → ms; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$/.exec(text.trim());
  if (!m || text.trim() === "") return undefined;
  const [, d, h, min, s] = m;
  return (Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
}

function timeOf(v: string | number | undefined, what: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  const t = typeof v === "number" ? v : Date.parse(v);
  if (!Number.isFinite(t))
    throw new SilenceRequestError(`${what}: not an RFC 3339 time: ${JSON.stringify(v)}`);
  return t;
}

/** Validates a request into a silence (id and author given by the caller). */
export function buildSilence(
  req: SilenceRequest,
  o: { id: string; createdBy: string; now: number },
): Silence {
  if (typeof req !== "object" || req === null) throw new SilenceRequestError("expected a JSON object");
  const m = req.matchers ?? {};
  if (typeof m !== "object") throw new SilenceRequestError("matchers: expected an object");
  const matchers: SilenceMatchers = {};
  for (const k of MATCHER_KEYS) {
    const v = (m as Record<string, unknown>)[k];
    if (v === undefined || v === "") continue;
    if (typeof v !== "string" || v.length > MAX_FIELD)
      throw new SilenceRequestError(`matchers.${k}: expected a string of at most ${MAX_FIELD} characters`);
    matchers[k] = v;
  }
  if (m.labels !== undefined) {
    if (typeof m.labels !== "object" || m.labels === null || Array.isArray(m.labels))
      throw new SilenceRequestError("matchers.labels: expected an object of label → value");
    const entries = Object.entries(m.labels);
    if (entries.length > MAX_LABELS)
      throw new SilenceRequestError(`matchers.labels: at most ${MAX_LABELS} labels`);
    for (const [k, v] of entries) {
      if (typeof v !== "string" || k.length > MAX_FIELD || v.length > MAX_FIELD)
        throw new SilenceRequestError(`matchers.labels.${k}: expected a string value`);
    }
    if (entries.length > 0) matchers.labels = Object.fromEntries(entries) as Record<string, string>;
  }
  if (Object.keys(matchers).length === 0)
    throw new SilenceRequestError("matchers: give at least one (a silence matching everything is refused)");
  const comment = typeof req.comment === "string" ? req.comment.trim() : "";
  if (comment === "") throw new SilenceRequestError("comment: required (say why)");
  if (comment.length > MAX_COMMENT)
    throw new SilenceRequestError(`comment: at most ${MAX_COMMENT} characters`);
  const startsAt = timeOf(req.startsAt, "startsAt") ?? o.now;
  let endsAt = timeOf(req.endsAt, "endsAt");
  if (req.duration !== undefined && req.duration !== "") {
    if (endsAt !== undefined) throw new SilenceRequestError("give endsAt or duration, not both");
    const d = parseDuration(String(req.duration));
    if (d === undefined || d <= 0)
      throw new SilenceRequestError(
        `duration: expected e.g. 30m, 2h, 1h30m, got ${JSON.stringify(req.duration)}`,
      );
    endsAt = startsAt + d;
  }
  if (endsAt === undefined) throw new SilenceRequestError("endsAt or duration: required");
  if (endsAt <= o.now) throw new SilenceRequestError("endsAt is in the past");
  if (endsAt <= startsAt) throw new SilenceRequestError("endsAt must be after startsAt");
  if (endsAt - startsAt > MAX_SPAN_MS) throw new SilenceRequestError("a silence lasts at most 90 days");
  return {
    id: o.id,
    matchers,
    startsAt,
    endsAt,
    comment,
    createdBy: o.createdBy,
    createdAt: o.now,
    summary: req.summary === true,
  };
}

export function isActive(s: Silence, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt;
}

/**
 * Whether a notification matches; `labels` are those of the Rollout (or object) that routed it: the live object's
 * at planning, the ones the job carries at delivery (NotificationTransitionMeta.labels).
 */
export function silenceMatches(s: Silence, job: NotificationJob, labels?: Record<string, string>): boolean {
  const m = s.matchers;
  const owner = job.transition.rollout ?? job.transition.object;
  if (m.namespace !== undefined && m.namespace !== owner.namespace) return false;
  if (m.rollout !== undefined && m.rollout !== owner.name) return false;
  if (m.trigger !== undefined && m.trigger !== job.transition.trigger) return false;
  if (m.service !== undefined && m.service !== job.destination.service) return false;
  if (m.recipient !== undefined && m.recipient !== job.destination.recipient) return false;
  if (m.labels) {
    const have = labels ?? {};
    for (const [k, v] of Object.entries(m.labels)) if (have[k] !== v) return false;
  }
  return true;
}

/** Why a notification was held: the silence, who made it, until when, why, and what it matches. */
export function holdDetail(s: Silence): string {
  return `silence ${s.id} by ${s.createdBy} until ${new Date(s.endsAt).toISOString()}: ${s.comment} (${describeMatchers(s.matchers)})`;
}

/** The namespace whose rights a silence needs; undefined = cluster-wide. */
export function silenceScope(s: Pick<Silence, "matchers">): string | undefined {
  return s.matchers.namespace;
}

export function describeMatchers(m: SilenceMatchers): string {
  const parts = MATCHER_KEYS.filter((k) => m[k] !== undefined).map((k) => `${k}=${m[k]}`);
  for (const [k, v] of Object.entries(m.labels ?? {})) parts.push(`label ${k}=${v}`);
  return parts.join(", ");
}
