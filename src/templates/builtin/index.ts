// The built-in templates: one per built-in trigger, with a message and one section per registered service type
// (each type's `templates.builtin`). Used when the ConfigMap defines no template of that name, and to fill in a
// service section a configured template lacks (render.ts).
import type { TemplateSpec } from "../../config/types.ts";
import { SERVICE_TYPES } from "../../sinks/registry.ts";
import { canonicalTrigger } from "../../triggers/trigger-names.ts";
import { type CompiledTemplate, compileTemplateSpec } from "../compile.ts";
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
  return BUILTIN_TEMPLATE_FOR_TRIGGER[canonicalTrigger(trigger)];
}

/** The trigger a built-in template belongs to. */
export function triggerForBuiltinTemplate(template: string): string | undefined {
  return TRIGGER_PRESENTATIONS.find((p) => p.template === template)?.trigger;
}

const compiled = new Map<string, CompiledTemplate>();

export function builtinCompiledTemplate(name: string): CompiledTemplate | undefined {
  const spec = BUILTIN_TEMPLATES[name];
  if (!spec) return undefined;
  let c = compiled.get(name);
  if (!c) {
    c = compileTemplateSpec(spec);
    compiled.set(name, c);
  }
  return c;
}

export function builtinCompiledTemplateForTrigger(trigger: string): CompiledTemplate | undefined {
  const name = builtinTemplateNameForTrigger(trigger);
  return name ? builtinCompiledTemplate(name) : undefined;
}
