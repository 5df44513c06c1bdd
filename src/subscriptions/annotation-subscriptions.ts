// Subscriptions written as annotations on a Rollout (or standalone AnalysisRun) and on its Namespace, in both
// upstream forms:
//   <prefix>/subscribe.<trigger>.<service>: "r1;r2"   recipients split on ';', trimmed, empty ones dropped
//                                                     (an empty value is one empty recipient: webhooks)
//   <prefix>/subscribe.<service>: "r1"                the service's default triggers
//   <prefix>/subscriptions: |                          YAML list (notifications-engine's Subscription)
//     - trigger: [on-rollout-completed]
//       destinations: [{service: slack, recipients: [chan]}]
// Pure (parsed YAML texts are memoised). A malformed annotation is a problem for that annotation only.
import { parse } from "yaml";
import { type KubeObject, objectKey } from "../kube/objects.ts";

export const DEFAULT_ANNOTATION_PREFIX = "notifications.argoproj.io";

export interface SubscriptionProblem {
  /** Where: e.g. `Rollout ns/name annotation "notifications.argoproj.io/subscribe.on-x.slack"`. */
  source: string;
  message: string;
}

/** One (triggers × service × recipients) subscription from some source. */
export interface SubscriptionEntry {
  /** Trigger names as written; undefined = the service's default triggers. */
  triggers: string[] | undefined;
  service: string;
  recipients: string[];
  source: string;
}

export function parseRecipients(value: string): string[] {
  if (value === "") return [""];
  return value
    .split(";")
    .map((r) => r.trim())
    .filter((r) => r !== "");
}

function annotationSource(obj: KubeObject, key: string): string {
  return `${obj.kind ?? "object"} ${objectKey(obj)} annotation "${key}"`;
}

function asStringList(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  return undefined;
}

/**
 * The subscriptions annotation is read up to this size. A list of a few entries is a few hundred bytes; YAML
 * takes the parser ~4 µs a character on hostile input (200 KB of `[` took a second), and the annotation is read
 * at every transition of the object, whoever wrote its namespace's config.
 */
export const MAX_SUBSCRIPTIONS_YAML_CHARS = 16 * 1024;
/** Parsed annotation texts (an object's annotation is read at each of its transitions), ≤ 4 MiB of text. */
const parsedYaml = new Map<string, { raw: unknown } | { error: string }>();
const MAX_CACHED_CHARS = 4 * 1024 * 1024;
let cachedChars = 0;

function parseYamlCached(value: string): { raw: unknown } | { error: string } {
  const hit = parsedYaml.get(value);
  if (hit) return hit;
  let result: { raw: unknown } | { error: string };
  try {
    result = { raw: parse(value, { maxAliasCount: 10, logLevel: "error" }) };
  } catch (err) {
    result = { error: `invalid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  parsedYaml.set(value, result);
  cachedChars += value.length;
  while (cachedChars > MAX_CACHED_CHARS) {
    const oldest = parsedYaml.keys().next().value as string;
    parsedYaml.delete(oldest);
    cachedChars -= oldest.length;
  }
  return result;
}

function parseYamlSubscriptions(
  value: string,
  source: string,
  entries: SubscriptionEntry[],
  problems: SubscriptionProblem[],
): void {
  if (value.length > MAX_SUBSCRIPTIONS_YAML_CHARS) {
    problems.push({
      source,
      message: `longer than ${MAX_SUBSCRIPTIONS_YAML_CHARS} characters: not read (a subscription list is a few hundred)`,
    });
    return;
  }
  const parsed = parseYamlCached(value);
  if ("error" in parsed) {
    problems.push({ source, message: parsed.error });
    return;
  }
  const raw = parsed.raw;
  if (raw === null || raw === undefined) return;
  if (!Array.isArray(raw)) {
    problems.push({ source, message: "must be a YAML list of {trigger, destinations}" });
    return;
  }
  raw.forEach((item, i) => {
    const at = `${source} [${i}]`;
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      problems.push({ source: at, message: "must be a mapping {trigger, destinations}" });
      return;
    }
    const rec = item as Record<string, unknown>;
    const triggers = asStringList(rec.trigger ?? rec.triggers);
    if (!triggers || triggers.length === 0) {
      problems.push({ source: at, message: "trigger must be a trigger name or a list of them" });
      return;
    }
    if (!Array.isArray(rec.destinations) || rec.destinations.length === 0) {
      problems.push({
        source: at,
        message: "destinations must be a non-empty list of {service, recipients}",
      });
      return;
    }
    rec.destinations.forEach((d: unknown, j: number) => {
      const dest = d as Record<string, unknown> | null;
      const service = dest && typeof dest === "object" ? dest.service : undefined;
      const recipients = dest?.recipients === undefined ? [""] : asStringList(dest.recipients);
      if (typeof service !== "string" || service === "" || !recipients) {
        problems.push({
          source: `${at}.destinations[${j}]`,
          message: "must be {service: <name>, recipients: [<recipient>, …]}",
        });
        return;
      }
      entries.push({
        triggers: [...triggers],
        service,
        recipients: recipients.length === 0 ? [""] : recipients.map((r) => r.trim()),
        source: at,
      });
    });
  });
}

/** Reads the subscription annotations of one object (a Rollout, AnalysisRun or Namespace). */
export function readAnnotationSubscriptions(
  obj: KubeObject,
  prefix: string = DEFAULT_ANNOTATION_PREFIX,
): { entries: SubscriptionEntry[]; problems: SubscriptionProblem[] } {
  const entries: SubscriptionEntry[] = [];
  const problems: SubscriptionProblem[] = [];
  const annotations = obj.metadata.annotations ?? {};
  const subscribe = `${prefix}/subscribe.`;
  const yamlKey = `${prefix}/subscriptions`;
  for (const key of Object.keys(annotations).sort()) {
    const value = annotations[key] ?? "";
    const source = annotationSource(obj, key);
    if (key === yamlKey) {
      parseYamlSubscriptions(value, source, entries, problems);
    } else if (key.startsWith(subscribe)) {
      const parts = key.slice(subscribe.length).split(".");
      if (parts.some((p) => p === "") || parts.length > 2) {
        problems.push({
          source,
          message: `expected ${subscribe}<trigger>.<service> or ${subscribe}<service>`,
        });
        continue;
      }
      const recipients = parseRecipients(value);
      if (parts.length === 2) entries.push({ triggers: [parts[0]!], service: parts[1]!, recipients, source });
      else entries.push({ triggers: undefined, service: parts[0]!, recipients, source });
    }
  }
  return { entries, problems };
}
