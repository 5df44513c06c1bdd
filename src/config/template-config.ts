// `template.<name>` keys. Template sources stay strings (Handlebars or Go templates). Structure is validated here:
// `message` plus one section per registered service type, each by that type's own schema (src/sinks/<type>/); a
// section for a service type we have not built is a warning. Every source is compiled (src/templates), so a syntax
// error or an unknown function rejects the key at load, naming the field and line.
import { z } from "zod";
import { ARGO_CD_VARIABLE, argoCdVariableUses } from "../migrate/template-variables.ts";
import { SERVICE_TYPES, UPSTREAM_TYPES_NOT_BUILT } from "../sinks/registry.ts";
import { compiledTemplateSpec, templateSpecSources } from "../templates/compile.ts";
import { dryRenderTemplate } from "../templates/dry-render.ts";
import { TemplateError } from "../templates/template-error.ts";
import { DEFAULT_TEMPLATES } from "../triggers/custom-trigger-plan.ts";
import { type ConfigError, issuePath, KeyErrors } from "./config-error.ts";
import type { NotifierConfig, TemplateSpec } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

const SECTIONS = SERVICE_TYPES.map((t) => t.templates.section);

const templateSchema = z.object({
  message: z.string().optional(),
  ...Object.fromEntries(SERVICE_TYPES.map((t) => [t.templates.section, t.templates.schema.optional()])),
});

const TOP_LEVEL = ["message", ...SECTIONS];
const NOT_BUILT = UPSTREAM_TYPES_NOT_BUILT.filter((t) => !SECTIONS.includes(t));

export function parseTemplateEntry(name: string, text: string, errors: KeyErrors): TemplateSpec | undefined {
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value;
  if (!isPlainObject(raw)) {
    errors.error(`must be a YAML mapping (${TOP_LEVEL.join(", ")}, …)`);
    return undefined;
  }
  warnUnknownFields(raw, TOP_LEVEL, NOT_BUILT, errors);
  for (const t of SERVICE_TYPES) {
    const section = raw[t.templates.section];
    if (t.templates.knownKeys && isPlainObject(section)) {
      warnUnknownFields(section, t.templates.knownKeys, [], errors, t.templates.section);
    }
  }
  const result = templateSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) errors.error(issue.message, issuePath(issue.path) || undefined);
    return undefined;
  }
  const spec: TemplateSpec = { name };
  const d = result.data as Record<string, unknown>;
  if (d.message !== undefined) spec.message = d.message as string;
  let sections = 0;
  for (const section of SECTIONS) {
    const v = d[section];
    if (!isPlainObject(v)) continue;
    (spec as unknown as Record<string, unknown>)[section] = stripUndefinedDeep(v);
    sections++;
  }
  if (spec.message === undefined && sections === 0) {
    errors.warn(`defines no ${TOP_LEVEL.join(", ")} part; it renders nothing`);
  }
  warnArgoCdVariables(spec, errors);
  try {
    for (const w of compiledTemplateSpec(spec).warnings) errors.warn(w); // cached: the pipeline reuses it
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    errors.error(err.message.replace(/^template "[^"]*"( field "[^"]*")?: /, ""), err.field);
    return undefined;
  }
  return spec;
}

/** Drops undefined values (zod leaves absent optional keys out already; this also covers nested maps). */
function stripUndefinedDeep(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, isPlainObject(v) ? stripUndefinedDeep(v) : v]),
  );
}

/**
 * `.app.…` / `.repo.…` in a Go template (one copied from Argo CD): it prints `<no value>`, here as in Argo
 * Rollouts, which is worth saying at load. `.analysisRun.…` prints `<no value>` there and the run's field here: a
 * difference, said at load. (`.context.…` is this service's own key: migrate says how it differs.)
 */
function warnArgoCdVariables(spec: TemplateSpec, errors: KeyErrors): void {
  for (const [field, value] of templateSpecSources(spec)) {
    for (const u of argoCdVariableUses(value)) {
      if (u.name !== "context")
        errors.warn(`${u.expression} (line ${u.line}): ${ARGO_CD_VARIABLE(u.name)}`, field);
    }
  }
}

/** The triggers that send template `name`: the config's own, then the built-in triggers it is the default of. */
function triggersSending(config: NotifierConfig, name: string): string[] {
  const out = new Set<string>();
  for (const [trigger, conds] of Object.entries(config.triggers)) {
    if (conds.some((c) => c.send.includes(name))) out.add(trigger);
  }
  for (const [trigger, template] of Object.entries(DEFAULT_TEMPLATES)) {
    if (template === name) out.add(trigger);
  }
  return [...out];
}

/**
 * Dry-renders every loaded template against sample objects for each trigger that sends it (src/templates/
 * dry-render.ts; a template no trigger sends yet is rendered as a Rollout notification). A template that cannot
 * render for any object is an error of its key and is removed (the config store keeps its last good version);
 * one that fails only for objects like the sample is a warning. Run after every key is loaded (triggers and
 * `context` come after templates).
 */
export function dryRenderTemplates(
  config: NotifierConfig,
  source: string,
  errors: ConfigError[],
  warnings: string[],
  shareDeadlineAt?: number,
): { renderShareUsedUp: boolean } {
  let renderShareUsedUp = false;
  for (const [name, spec] of Object.entries(config.templates)) {
    const ke = new KeyErrors(source, `template.${name}`);
    const triggers = triggersSending(config, name);
    const problems = dryRenderTemplate(
      compiledTemplateSpec(spec),
      triggers.length > 0 ? triggers : ["on-rollout-updated"],
      config.context,
      shareDeadlineAt,
    );
    for (const p of problems) {
      if (p.fatal && p.share) renderShareUsedUp = true;
      const message = p.message.replace(/^template "[^"]*"( field "[^"]*")?: /, "");
      if (p.fatal) ke.error(`dry-render for ${p.trigger} on a sample object: ${message}`, p.field);
      else
        ke.warn(
          `dry-render for ${p.trigger} on a sample object failed: ${message} (loaded: this fails only for objects like the sample)`,
          p.field,
        );
    }
    if (ke.errors.length > 0) delete config.templates[name];
    errors.push(...ke.errors);
    warnings.push(...ke.warnings);
  }
  return { renderShareUsedUp };
}
