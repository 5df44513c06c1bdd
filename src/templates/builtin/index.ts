// The built-in templates: one per built-in trigger, with a message and one section per registered service type
// (each type's `templates.builtin`). Used when the ConfigMap defines no template of that name, and to fill in a
// service section a configured template lacks (render.ts).
import type { TemplateSpec } from "../../config/types.ts";
import { SERVICE_TYPES } from "../../sinks/registry.ts";
import { canonicalTrigger } from "../../triggers/trigger-names.ts";
import { type CompiledTemplate, lazilyCompiledTemplateSpec } from "../compile.ts";
import { TRIGGER_PRESENTATIONS, type TriggerPresentation } from "./trigger-presentation.ts";

function builtinTemplate(p: TriggerPresentation): TemplateSpec {
  const spec: Record<string, unknown> = { name: p.template, message: p.message };
  for (const t of SERVICE_TYPES) spec[t.templates.section] = t.templates.builtin(p);
  return spec as unknown as TemplateSpec;
}

/** Built-in templates by name (upstream names: rollout-aborted, analysis-run-running, scaling-replicaset, …). */
export const BUILTIN_TEMPLATES: Readonly<Record<string, TemplateSpec>> = Object.fromEntries(
  TRIGGER_PRESENTATIONS.map((p) => [p.template, builtinTemplate(p)]),
);

/** Built-in trigger → the name of its built-in template (aliases such as on-analysis-run-running accepted). */
export const BUILTIN_TEMPLATE_FOR_TRIGGER: Readonly<Record<string, string>> = Object.fromEntries(
  TRIGGER_PRESENTATIONS.map((p) => [p.trigger, p.template]),
);

export function builtinTemplateNameForTrigger(trigger: string): string | undefined {
  const t = canonicalTrigger(trigger);
  return Object.hasOwn(BUILTIN_TEMPLATE_FOR_TRIGGER, t) ? BUILTIN_TEMPLATE_FOR_TRIGGER[t] : undefined;
}

/** The trigger a built-in template belongs to. */
export function triggerForBuiltinTemplate(template: string): string | undefined {
  return TRIGGER_PRESENTATIONS.find((p) => p.template === template)?.trigger;
}

const compiled = new Map<string, CompiledTemplate>();

/** A built-in template; each field is compiled when first rendered (a section per service type, most unused). */
export function builtinCompiledTemplate(name: string): CompiledTemplate | undefined {
  const spec = Object.hasOwn(BUILTIN_TEMPLATES, name) ? BUILTIN_TEMPLATES[name] : undefined;
  if (!spec) return undefined;
  let c = compiled.get(name);
  if (!c) {
    c = lazilyCompiledTemplateSpec(spec);
    compiled.set(name, c);
  }
  return c;
}

export function builtinCompiledTemplateForTrigger(trigger: string): CompiledTemplate | undefined {
  const name = builtinTemplateNameForTrigger(trigger);
  return name ? builtinCompiledTemplate(name) : undefined;
}

/**
 * Compiles the built-in templates' `message` and the sections of the given service types (those the config sends
 * to) in the background, one template per turn of the event loop (the service starts it after start-up): the
 * first notification of each kind then costs a render, not a compile, and no hand-off holds the event loop
 * compiling. Other sections are compiled when first rendered. Resolves with the number of fields compiled.
 */
export async function warmBuiltinTemplates(serviceTypes: Iterable<string>): Promise<number> {
  const sections = new Set<string>();
  for (const type of serviceTypes) {
    const def = SERVICE_TYPES.find((t) => t.type === type);
    if (def) sections.add(def.templates.section);
  }
  let count = 0;
  for (const name of Object.keys(BUILTIN_TEMPLATES)) {
    await new Promise((resolve) => setImmediate(resolve));
    const { fields } = builtinCompiledTemplate(name)!;
    for (const path of fields.keys()) {
      const dot = path.indexOf(".");
      if (dot < 0 || sections.has(path.slice(0, dot))) {
        fields.get(path);
        count++;
      }
    }
  }
  return count;
}
