// `service.<type>` / `service.<type>.<name>` keys, `$refs` resolved from the Secret, validated by the type's own
// schema (src/sinks/<type>/, listed in src/sinks/registry.ts). A type notifications-engine has but we have not built
// is a load warning naming the type and the docs, and every notification to it is reported as a problem (never
// silently dropped); an unknown key inside a service is a warning.
import { SERVICE_TYPES, serviceTypeOf, UPSTREAM_TYPES_NOT_BUILT } from "../sinks/registry.ts";
import { issuePath, type KeyErrors } from "./config-error.ts";
import { resolveSecretRefs, type SecretValues } from "./secret-refs.ts";
import type { ServiceConfig } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

/** The registered service types. */
export const SUPPORTED_SERVICE_TYPES: readonly string[] = SERVICE_TYPES.map((t) => t.type);

/** Splits `service.<type>(.<name>)`; undefined (with an error) when the key has more parts. */
export function parseServiceKey(key: string, errors: KeyErrors): { type: string; name: string } | undefined {
  const parts = key.split(".");
  if (parts.length === 2 && parts[1]) return { type: parts[1], name: parts[1] };
  if (parts.length === 3 && parts[1] && parts[2]) return { type: parts[1], name: parts[2] };
  errors.error("expected service.<type> or service.<type>.<name>");
  return undefined;
}

export function parseServiceEntry(
  key: string,
  text: string,
  secret: SecretValues,
  errors: KeyErrors,
  tenantNamespace?: string,
): ServiceConfig | undefined {
  const id = parseServiceKey(key, errors);
  if (!id) return undefined;
  const def = serviceTypeOf(id.type);
  if (!def) {
    // rejected, never silently: said at load (naming the type and the docs) and for every notification to it
    const known = UPSTREAM_TYPES_NOT_BUILT.includes(id.type) ? "" : " (not a notifications-engine type)";
    errors.warn(
      `service type "${id.type}" is not supported${known} (supported: ${SUPPORTED_SERVICE_TYPES.join(", ")}): notifications to "${id.name}" are not sent (each one is reported as a problem); see docs/services/README.md`,
    );
    return undefined;
  }
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value ?? {};
  if (!isPlainObject(raw)) {
    errors.error("must be a YAML mapping");
    return undefined;
  }
  const resolved = resolveSecretRefs(raw, secret, errors) as Record<string, unknown>;
  if (!errors.ok) return undefined;
  warnUnknownFields(resolved, Object.keys(def.config.schema.shape), def.config.ignoredKeys ?? [], errors);
  const result = def.config.schema.safeParse(resolved);
  if (!result.success) {
    // zod messages describe types and constraints only; they never echo the (possibly secret) input
    for (const issue of result.error.issues) errors.error(issue.message, issuePath(issue.path) || undefined);
    return undefined;
  }
  const service = { ...result.data, type: def.type, name: id.name } as ServiceConfig;
  if (tenantNamespace) {
    const problem = def.config.tenantProblem?.(service);
    if (problem) {
      errors.error(problem.message, problem.path);
      return undefined;
    }
    service.tenantNamespace = tenantNamespace;
  }
  return service;
}

/**
 * For a service where upstream does something else when a notification has no part for it than sending the
 * trigger's built-in part (what this service does): the template section, whether a template's section has a part
 * for this service, and upstream's error (its Send fails: alertmanager, github) or what it sends instead (webhook:
 * a GET with the message as body); undefined when upstream sends `message` alone.
 */
export function upstreamWithoutSection(service: ServiceConfig):
  | {
      type: string;
      section: string;
      hasPart(spec: Record<string, unknown> | undefined): boolean;
      /** The names the template's section has parts for (`webhook.<name>`); undefined without the section. */
      sectionNames(spec: Record<string, unknown> | undefined): string[] | undefined;
      error?: string;
      sends?: string;
    }
  | undefined {
  const def = serviceTypeOf(service.type);
  if (!def) return undefined;
  const {
    upstreamFailsWithoutSection: error,
    upstreamSendsWithoutSection: sends,
    sectionFor,
  } = def.templates;
  if (!error && !sends) return undefined;
  const section = def.templates.section;
  const hasSection = (spec: Record<string, unknown> | undefined) =>
    spec?.[section] !== undefined && spec[section] !== null;
  const hasPart = (spec: Record<string, unknown> | undefined) =>
    hasSection(spec) &&
    (!sectionFor || (sectionFor as (s: unknown, name: string) => boolean)(spec![section], service.name));
  const sectionNames = (spec: Record<string, unknown> | undefined) => {
    const s = hasSection(spec) ? spec![section] : undefined;
    return s && typeof s === "object" ? Object.keys(s) : undefined;
  };
  return { type: def.type, section, hasPart, sectionNames, ...(error ? { error } : { sends }) };
}
