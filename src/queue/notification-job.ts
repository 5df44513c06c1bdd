// The unit of delivery: one rendered notification for one destination, as it travels through the queue.
// It holds no service config (those carry secrets): the worker resolves the service by name when delivering.
import { createHash } from "node:crypto";
import type { Destination } from "../config/types.ts";
import type { Notification } from "../templates/notification.ts";
import type { ObjectRef, Transition } from "../triggers/transition.ts";

/** What the queue keeps of the transition: enough for logs, metrics and the dead-letter list. */
export interface NotificationTransitionMeta {
  id: string;
  trigger: string;
  object: ObjectRef;
  rollout?: ObjectRef;
  revision?: string;
  /** When the transition was detected (ms since epoch): delivery latency is measured from here. */
  detectedAt: number;
  /**
   * The labels of the object that routed it (the Rollout, else the object) when it was planned: silences with
   * label matchers are checked again at delivery, where that object is not at hand. At most MAX_LABELS.
   */
  labels?: Record<string, string>;
}

export interface NotificationJob {
  /** Deterministic: transition id + service + recipient (see notificationJobId). Enqueueing it twice is a no-op. */
  jobId: string;
  /** Notifications with the same key are delivered in enqueue order: rollout uid + service + recipient. */
  orderingKey: string;
  transition: NotificationTransitionMeta;
  /** `destination.service` is the service name the worker resolves (slack, pagerdutyv2, a webhook's name). */
  destination: Destination;
  notification: Notification;
  /** Set when the service comes from a namespace's self-service config. */
  tenantNamespace?: string;
}

const MAX_ID_LENGTH = 200;
const MAX_LABELS = 64;

/** A character's UTF-8 bytes as %XX (the characters seen most — '/', ':', '~' — kept once encoded). */
const encodedChars = new Map<string, string>();
function percentEncoded(c: string): string {
  let e = encodedChars.get(c);
  if (e === undefined) {
    e = Array.from(Buffer.from(c, "utf8"))
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
      .join("");
    if (encodedChars.size < 256) encodedChars.set(c, e);
  }
  return e;
}

/** Percent-encodes everything but [A-Za-z0-9._-]: no ':' (the ids BullMQ-era versions made, kept so an id stays the same across versions), no '/'. */
function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, percentEncoded);
}

function boundedId(parts: string[]): string {
  const id = parts.map(safePart).join("/");
  if (id.length <= MAX_ID_LENGTH) return id;
  const digest = createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
  return `${id.slice(0, MAX_ID_LENGTH - 34)}~${digest}`;
}

/** `<transition id>/<service>/<recipient>`, each part percent-encoded; long ids end in a hash of the whole. */
export function notificationJobId(transitionId: string, destination: Destination): string {
  return boundedId([transitionId, destination.service, destination.recipient]);
}

/** `<rollout uid>/<service>/<recipient>` (the object's uid when the transition has no owning Rollout). */
export function notificationOrderingKey(
  transition: Pick<Transition, "object" | "rollout">,
  destination: Destination,
): string {
  const uid =
    transition.rollout?.uid ||
    transition.object.uid ||
    `${transition.object.namespace}/${transition.object.name}`;
  return boundedId([uid, destination.service, destination.recipient]);
}

/** Builds the job for one (transition, destination) pair. */
export function buildNotificationJob(input: {
  transition: Transition;
  destination: Destination;
  notification: Notification;
  detectedAt: number;
  tenantNamespace?: string;
  /** The routing object's labels (see NotificationTransitionMeta.labels). */
  labels?: Record<string, string>;
}): NotificationJob {
  const t = input.transition;
  const meta: NotificationTransitionMeta = {
    id: t.id,
    trigger: t.trigger,
    object: t.object,
    detectedAt: input.detectedAt,
  };
  if (t.rollout) meta.rollout = t.rollout;
  if (t.revision !== undefined) meta.revision = t.revision;
  const labels = Object.entries(input.labels ?? {}).slice(0, MAX_LABELS);
  if (labels.length > 0) meta.labels = Object.fromEntries(labels);
  const job: NotificationJob = {
    jobId: notificationJobId(t.id, input.destination),
    orderingKey: notificationOrderingKey(t, input.destination),
    transition: meta,
    destination: { service: input.destination.service, recipient: input.destination.recipient },
    notification: input.notification,
  };
  if (input.tenantNamespace !== undefined) job.tenantNamespace = input.tenantNamespace;
  return job;
}

/** Checks a job before it is enqueued; the error names the job and the field. */
export function validateNotificationJob(job: NotificationJob): void {
  const where = `notification job ${JSON.stringify(job?.jobId ?? "?")}`;
  if (typeof job?.jobId !== "string" || job.jobId === "")
    throw new Error(`${where}: jobId must be a non-empty string`);
  if (/^\d+$/.test(job.jobId))
    throw new Error(
      `${where}: jobId must not be an integer (an older version's BullMQ executor reserved those)`,
    );
  if (job.jobId.includes(":"))
    throw new Error(`${where}: jobId must not contain ':' (use notificationJobId)`);
  if (typeof job.orderingKey !== "string" || job.orderingKey === "")
    throw new Error(`${where}: orderingKey must be a non-empty string`);
  if (typeof job.destination?.service !== "string" || job.destination.service === "")
    throw new Error(`${where}: destination.service must be a non-empty string`);
  if (typeof job.destination.recipient !== "string")
    throw new Error(`${where}: destination.recipient must be a string`);
  if (typeof job.notification?.message !== "string")
    throw new Error(`${where}: notification.message must be a string`);
  if (typeof job.transition?.detectedAt !== "number" || !Number.isFinite(job.transition.detectedAt))
    throw new Error(`${where}: transition.detectedAt must be a number (ms since epoch)`);
}
