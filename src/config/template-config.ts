// `template.<name>` keys. Template sources stay strings (Handlebars or Go templates). Structure is validated here:
// `message` plus one section per registered service type, each by that type's own schema (src/sinks/<type>/); a
// section for a service type we have not built is a warning. Every source is compiled (src/templates), so a syntax
// error or an unknown function rejects the key at load, naming the field and line.
import { z } from "zod";
import { ARGO_CD_VARIABLE, argoCdVariableUses } from "../migrate/template-variables.ts";
import { SERVICE_TYPES, UPSTREAM_TYPES_NOT_BUILT } from "../sinks/registry.ts";
import { compiledTemplateSpec, templateSpecSources } from "../templates/compile.ts";
import { TemplateError } from "../templates/template-error.ts";
import { issuePath, type KeyErrors } from "./config-error.ts";
import type { TemplateSpec } from "./types.ts";
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
 * `.app.…` / `.repo.…` in a Go template (one copied from Argo CD): it fails at every render, here as in Argo
 * Rollouts, so it is said at load. (`.context.…` is this service's own key: migrate says how it differs.)
 */
function warnArgoCdVariables(spec: TemplateSpec, errors: KeyErrors): void {
  for (const [field, value] of templateSpecSources(spec)) {
    for (const u of argoCdVariableUses(value)) {
      if (u.name !== "context")
        errors.warn(`${u.expression} (line ${u.line}): ${ARGO_CD_VARIABLE(u.name)}`, field);
    }
  }
}
