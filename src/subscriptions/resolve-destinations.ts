// Who gets a notification for one transition: annotation subscriptions on the routing object and its Namespace,
// plus ConfigMap `subscriptions` whose selector matches the routing object's labels. Pure.
import { ownEntry } from "../config/tables.ts";
import type { Destination, NotifierConfig, ServiceConfig } from "../config/types.ts";
import { type KubeObject, objectKey } from "../kube/objects.ts";
import { serviceTypeOf } from "../sinks/registry.ts";
import {
  BUILTIN_TRIGGERS,
  canonicalTrigger,
  isBuiltinTrigger,
  OPT_IN_TRIGGERS,
} from "../triggers/trigger-names.ts";
import {
  DEFAULT_ANNOTATION_PREFIX,
  readAnnotationSubscriptions,
  type SubscriptionEntry,
  type SubscriptionProblem,
} from "./annotation-subscriptions.ts";
import { matchesLabels, parseLabelSelector } from "./label-selector.ts";
import { normalizeRecipient } from "./normalize-recipient.ts";

export interface ResolveDestinationsInput {
  /** The trigger of the transition (aliases accepted). */
  trigger: string;
  /**
   * The object whose subscriptions route the notification: the Rollout for Rollout triggers; for AnalysisRun
   * triggers the owning Rollout (directly or through an Experiment), or the AnalysisRun itself when it has no
   * owning Rollout (standalone). Its annotations and labels are read.
   */
  rollout: KubeObject;
  /** The routing object's Namespace, when known: its annotations apply to every Rollout in it. */
  namespace?: KubeObject;
  /** The effective config for the routing object's namespace (ConfigStore.forNamespace). */
  config: NotifierConfig;
  annotationPrefix?: string;
  /** Cap on destinations for one transition (default DEFAULT_MAX_DESTINATIONS); beyond it: a problem, not sent. */
  maxDestinations?: number;
}

/** Default cap on destinations per transition: generous for real teams, small enough to bound one transition. */
export const DEFAULT_MAX_DESTINATIONS = 50;

export interface ResolveDestinationsResult {
  /** Distinct destinations, in order of first appearance (Rollout, then Namespace, then ConfigMap). */
  destinations: Destination[];
  /** Everything wrong with the object's subscriptions (not only those of this trigger). */
  problems: SubscriptionProblem[];
}

/** Default triggers of a service: defaultTriggers.<service>, else defaultTriggers, else every built-in but opt-ins. */
export function defaultTriggersFor(config: NotifierConfig, service: string): string[] {
  const byService = ownEntry(config.defaultTriggersByService, service);
  if (byService) return byService;
  if (config.defaultTriggers.length > 0) return config.defaultTriggers;
  return BUILTIN_TRIGGERS.filter((t) => !OPT_IN_TRIGGERS.includes(t));
}

function triggerExists(config: NotifierConfig, trigger: string): boolean {
  return isBuiltinTrigger(trigger) || ownEntry(config.triggers, canonicalTrigger(trigger)) !== undefined;
}

/** Entries from the ConfigMap `subscriptions` whose selector matches, one per recipient service. */
function configEntries(
  config: NotifierConfig,
  obj: KubeObject,
  problems: SubscriptionProblem[],
): SubscriptionEntry[] {
  const out: SubscriptionEntry[] = [];
  config.subscriptions.forEach((sub, i) => {
    const source = `ConfigMap subscriptions[${i}]`;
    if (sub.selector) {
      try {
        if (!matchesLabels(parseLabelSelector(sub.selector), obj.metadata.labels)) return;
      } catch (err) {
        problems.push({ source, message: `invalid selector: ${(err as Error).message}` });
        return;
      }
    }
    for (const r of sub.recipients) {
      const colon = r.indexOf(":");
      const service = colon < 0 ? r : r.slice(0, colon);
      const recipient = colon < 0 ? "" : r.slice(colon + 1);
      out.push({
        triggers: sub.triggers.length > 0 ? sub.triggers : undefined,
        service,
        recipients: [recipient],
        source,
      });
    }
  });
  return out;
}

/** Why the service cannot take the recipient (its type decides), or undefined. */
function recipientProblem(svc: ServiceConfig, recipient: string): string | undefined {
  return serviceTypeOf(svc.type)?.recipients.problem(svc, recipient);
}

/** Reports the entry's unknown triggers; false when its service is not configured (recipients: one by one). */
function checkEntry(config: NotifierConfig, e: SubscriptionEntry, problems: SubscriptionProblem[]): boolean {
  for (const t of e.triggers ?? []) {
    if (!triggerExists(config, t)) {
      problems.push({ source: e.source, message: `trigger "${t}" is not a built-in trigger nor configured` });
    }
  }
  const svc = ownEntry(config.services, e.service);
  if (!svc) {
    problems.push({ source: e.source, message: `service "${e.service}" is not configured` });
    return false;
  }
  return true;
}

export function resolveDestinations(input: ResolveDestinationsInput): ResolveDestinationsResult {
  const { config } = input;
  const prefix = input.annotationPrefix ?? DEFAULT_ANNOTATION_PREFIX;
  const wanted = canonicalTrigger(input.trigger);
  const problems: SubscriptionProblem[] = [];
  const entries: SubscriptionEntry[] = [];

  const own = readAnnotationSubscriptions(input.rollout, prefix);
  entries.push(...own.entries);
  problems.push(...own.problems);
  if (input.namespace) {
    const ns = readAnnotationSubscriptions(input.namespace, prefix);
    entries.push(...ns.entries);
    problems.push(...ns.problems);
  }
  entries.push(...configEntries(config, input.rollout, problems));

  // one destination per (service, normalised recipient): `#deploys`, `deploys` and ` deploys` are one channel
  const seen = new Set<string>();
  const destinations: Destination[] = [];
  const cap = input.maxDestinations ?? DEFAULT_MAX_DESTINATIONS;
  let beyondCap = 0;
  for (const e of entries) {
    const usable = checkEntry(config, e, problems);
    const triggers = e.triggers ?? defaultTriggersFor(config, e.service);
    if (!usable || !triggers.some((t) => canonicalTrigger(t) === wanted)) continue;
    const svc = ownEntry(config.services, e.service)!;
    for (const written of e.recipients) {
      // one bad recipient is reported and skipped; the entry's other recipients still get it
      const normalized = normalizeRecipient(svc.type, written);
      if (!normalized.ok) {
        problems.push({ source: e.source, message: normalized.reason });
        continue;
      }
      const problem = recipientProblem(svc, normalized.recipient);
      if (problem) {
        problems.push({ source: e.source, message: `service "${e.service}" ${problem}` });
        continue;
      }
      const recipient = normalized.recipient;
      const k = `${e.service}\u0000${recipient}`;
      if (seen.has(k)) continue;
      seen.add(k);
      if (destinations.length >= cap) {
        beyondCap++;
        continue;
      }
      destinations.push({ service: e.service, recipient });
    }
  }
  if (beyondCap > 0) {
    problems.push({
      source: describeObject(input.rollout),
      message: `${beyondCap} destination(s) beyond the cap of ${cap} per transition (MAX_DESTINATIONS_PER_TRANSITION) not notified for ${wanted}`,
    });
  }
  return { destinations, problems: dedupeProblems(problems) };
}

function dedupeProblems(problems: SubscriptionProblem[]): SubscriptionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.source}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** "Rollout ns/name" — convenient for logs next to problems. */
export function describeObject(obj: KubeObject): string {
  return `${obj.kind ?? "object"} ${objectKey(obj)}`;
}
