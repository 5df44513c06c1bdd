// `subscriptions`, `defaultTriggers`, `defaultTriggers.<service>` and `context` keys.
import { z } from "zod";
import { LabelSelectorError, parseLabelSelector } from "../subscriptions/label-selector.ts";
import { canonicalTrigger } from "../triggers/trigger-names.ts";
import { issuePath, type KeyErrors } from "./config-error.ts";
import type { SubscriptionSpec } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

const stringList = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .transform((v) => (typeof v === "string" ? [v] : v));

const subscriptionSchema = z.object({
  recipients: stringList.refine((v) => v.length > 0, { message: "must list at least one recipient" }),
  triggers: stringList.optional(),
  selector: z.string().optional(),
});

/**
 * `recipients` entries written as mappings (`- slack: my-channel`, the form in argoproj/argo-rollouts#2686) mean
 * `slack:my-channel`. Upstream's decoder ([]string) fails on them and Argo Rollouts then loads none of the
 * ConfigMap; here they are accepted with a warning that says so.
 */
function recipientMapsToStrings(
  item: Record<string, unknown>,
  i: number,
  errors: KeyErrors,
): Record<string, unknown> {
  const list = item.recipients;
  if (!Array.isArray(list) || !list.some(isPlainObject)) return item;
  const out: unknown[] = [];
  list.forEach((r, j) => {
    if (!isPlainObject(r)) {
      out.push(r);
      return;
    }
    for (const [service, recipient] of Object.entries(r)) {
      if (typeof recipient !== "string" && typeof recipient !== "number") {
        out.push(r); // left for the schema to reject with its path
        return;
      }
      const written = `${service}:${recipient}`;
      errors.warn(
        `recipient written as a mapping; read as "${written}" (Argo Rollouts rejects this form and then loads none of the ConfigMap: write "${written}")`,
        `[${i}].recipients[${j}]`,
      );
      out.push(written);
    }
  });
  return { ...item, recipients: out };
}

/**
 * Each list entry is validated on its own: a broken entry is an error at `subscriptions ([i]…)` and the other
 * entries still load. An entry without triggers means the default triggers.
 */
export function parseSubscriptions(text: string, errors: KeyErrors): SubscriptionSpec[] | undefined {
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value ?? [];
  if (!Array.isArray(raw)) {
    errors.error("must be a YAML list of {recipients, triggers, selector}");
    return undefined;
  }
  const out: SubscriptionSpec[] = [];
  raw.forEach((item, i) => {
    if (!isPlainObject(item)) {
      errors.error("must be a mapping {recipients, triggers, selector}", `[${i}]`);
      return;
    }
    warnUnknownFields(item, ["recipients", "triggers", "selector"], [], errors, `[${i}]`);
    const r = subscriptionSchema.safeParse(recipientMapsToStrings(item, i, errors));
    if (!r.success) {
      for (const issue of r.error.issues) errors.error(issue.message, issuePath([i, ...issue.path]));
      return;
    }
    const spec: SubscriptionSpec = {
      recipients: r.data.recipients,
      triggers: (r.data.triggers ?? []).map(canonicalTrigger),
    };
    if (r.data.selector !== undefined && r.data.selector.trim() !== "") {
      try {
        parseLabelSelector(r.data.selector);
        spec.selector = r.data.selector;
      } catch (err) {
        if (!(err instanceof LabelSelectorError)) throw err;
        errors.error(`invalid label selector: ${err.message}`, `[${i}].selector`);
        return;
      }
    }
    out.push(spec);
  });
  return out;
}

export function parseTriggerList(text: string, errors: KeyErrors): string[] | undefined {
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const r = stringList.safeParse(parsed.value ?? []);
  if (!r.success) {
    errors.error("must be a YAML list of trigger names");
    return undefined;
  }
  return r.data.map(canonicalTrigger);
}

/** `context`: a flat map of strings (numbers and booleans are turned into strings). */
export function parseContext(text: string, errors: KeyErrors): Record<string, string> | undefined {
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value ?? {};
  if (!isPlainObject(raw)) {
    errors.error("must be a YAML mapping of names to strings");
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    else errors.error("must be a string", k);
  }
  return errors.ok ? out : undefined;
}
