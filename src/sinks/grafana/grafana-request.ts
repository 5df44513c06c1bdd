// What a Grafana delivery sends (pure). As upstream: POST <apiUrl>/annotations with `Authorization: Bearer <apiKey>`,
// {time (epoch ms), tags: the recipient split at "|", text: the message}. Extensions: the template's tags after the
// recipient's, `timeEnd` (= time) for a notification that ends its region, the service's dashboardUID/panelId; a
// later notification of a region patches the region's annotation (PATCH <apiUrl>/annotations/<id> {text, timeEnd?}).
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { GrafanaServiceConfig } from "./grafana-types.ts";

/** Bounds on tags: how many one annotation carries, how long one is (Grafana keeps tag keys/values in 100 chars). */
export const GRAFANA_MAX_TAGS = 20;
export const GRAFANA_TAG_MAX = 100;
/** Bound on the text (Grafana keeps it in a TEXT column: 64 KB on MySQL, 4 bytes per character at worst). */
export const GRAFANA_TEXT_MAX = 16_000;

/** The POST body (Grafana's PostAnnotationsCmd fields we use). */
export interface GrafanaAnnotationBody {
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
  dashboardUID?: string;
  panelId?: number;
}

/** The PATCH body for a later notification of a region. */
export interface GrafanaAnnotationPatch {
  text: string;
  timeEnd?: number;
}

export interface GrafanaRequest {
  body: GrafanaAnnotationBody;
  /** The region (key) the notification belongs to; undefined: a point annotation of its own. */
  region?: string;
  /** Whether the notification ends its region (sets timeEnd). */
  endsRegion?: boolean;
}

/** `|`-separated tags, each trimmed, empty ones dropped. */
export function splitGrafanaTags(text: string): string[] {
  return text
    .split("|")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

function tagProblem(tag: string): string | undefined {
  if (/\p{Cc}/u.test(tag)) return "a tag must not contain control characters";
  if (Array.from(tag).length > GRAFANA_TAG_MAX) return `a tag is at most ${GRAFANA_TAG_MAX} characters`;
  return undefined;
}

/** Why a recipient is not a list of tags (`tag1|tag2`), or undefined. */
export function grafanaRecipientProblem(recipient: string): string | undefined {
  const parts = recipient.split("|").map((t) => t.trim());
  if (parts.some((t) => t === "")) return "a recipient must be tags separated by | (tag1|tag2), none empty";
  if (parts.length > GRAFANA_MAX_TAGS) return `a recipient has at most ${GRAFANA_MAX_TAGS} tags`;
  for (const t of parts) {
    const why = tagProblem(t);
    if (why) return why;
  }
  return undefined;
}

/** The recipient as written, spaces around its tags removed. */
export const normalizeGrafanaRecipient = (recipient: string) =>
  recipient
    .split("|")
    .map((t) => t.trim())
    .join("|");

/** `<apiUrl>/annotations[/<id>]` (upstream joins the path). */
export function grafanaAnnotationsUrl(service: GrafanaServiceConfig, id?: number): URL {
  const url = new URL(service.apiUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/annotations${id === undefined ? "" : `/${id}`}`;
  return url;
}

/** GET <apiUrl>/annotations finding the annotations at `time` carrying all of `tags` (at most 100). */
export function grafanaSearchUrl(service: GrafanaServiceConfig, time: number, tags: string[]): URL {
  const url = grafanaAnnotationsUrl(service);
  url.searchParams.set("from", String(time));
  url.searchParams.set("to", String(time));
  for (const t of tags) url.searchParams.append("tags", t);
  url.searchParams.set("type", "annotation");
  url.searchParams.set("limit", "100");
  if (service.dashboardUID) url.searchParams.set("dashboardUID", service.dashboardUID);
  if (service.panelId !== undefined) url.searchParams.set("panelId", String(service.panelId));
  return url;
}

export function buildGrafanaRequest(
  service: GrafanaServiceConfig,
  recipient: string,
  notification: Notification,
  where: string,
): GrafanaRequest {
  const invalid = (why: string, code = "invalid_message") =>
    new DeliveryError(`${where}: ${why}`, { transient: false, code });
  const problem = grafanaRecipientProblem(recipient);
  if (problem) throw invalid(problem, "invalid_recipient");
  const part = notification.grafana ?? { text: notification.message, time: Date.now() };
  if (!part.text.trim()) throw invalid("an annotation needs a text (the template's message is empty)");
  const tags = [...new Set([...splitGrafanaTags(recipient), ...(part.tags ?? [])])];
  if (tags.length > GRAFANA_MAX_TAGS) throw invalid(`more than ${GRAFANA_MAX_TAGS} tags`);
  for (const t of tags) {
    const why = tagProblem(t);
    if (why) throw invalid(`tag ${JSON.stringify(t.slice(0, 120))}: ${why}`);
  }
  const text = Array.from(part.text);
  const body: GrafanaAnnotationBody = {
    time: part.time,
    tags,
    text: text.length > GRAFANA_TEXT_MAX ? `${text.slice(0, GRAFANA_TEXT_MAX - 1).join("")}…` : part.text,
  };
  if (part.endsRegion) body.timeEnd = part.time;
  if (service.dashboardUID) body.dashboardUID = service.dashboardUID;
  if (service.panelId !== undefined) body.panelId = service.panelId;
  const out: GrafanaRequest = { body };
  if (part.region) out.region = part.region;
  if (part.endsRegion) out.endsRegion = true;
  return out;
}

/** What a later notification of the region sends to its annotation. */
export function grafanaPatchFor(req: GrafanaRequest): GrafanaAnnotationPatch {
  const patch: GrafanaAnnotationPatch = { text: req.body.text };
  if (req.body.timeEnd !== undefined) patch.timeEnd = req.body.timeEnd;
  return patch;
}
