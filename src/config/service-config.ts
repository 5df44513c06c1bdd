// `service.<type>` / `service.<type>.<name>` keys: slack, pagerdutyv2 and webhook services, `$refs` resolved
// from the Secret. Other upstream service types (email, teams, …) are not supported: a warning, not an error.
import { z } from "zod";
import { issuePath, type KeyErrors } from "./config-error.ts";
import { resolveSecretRefs, type SecretValues } from "./secret-refs.ts";
import type { ServiceConfig, ServiceType } from "./types.ts";
import { isPlainObject, parseYamlValue, warnUnknownFields } from "./yaml-value.ts";

export const SUPPORTED_SERVICE_TYPES: readonly ServiceType[] = ["slack", "pagerdutyv2", "webhook"];

const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  },
  { message: "must be an absolute http(s) URL" },
);
const nonEmpty = z.string().min(1, { message: "must not be empty" });
const header = z.object({ name: nonEmpty, value: z.string() });

// Fields a Secret usually fills accept "" as upstream does (an empty Secret value is a warning at load; the
// sends fail and are retried, then dead-lettered): see resolveSecretRefs.
const slackSchema = z.object({
  token: z.string(),
  apiURL: httpUrl.optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
  signingSecret: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
});
const SLACK_IGNORED = [
  "channels",
  "disableUnfurl",
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

const pagerDutySchema = z.object({
  serviceKeys: z.record(z.string(), z.string()).refine((r) => Object.keys(r).length > 0, {
    message: "must name at least one PagerDuty service",
  }),
  apiURL: httpUrl.optional(),
});

const webhookSchema = z.object({
  url: httpUrl,
  headers: z.array(header).optional(),
  basicAuth: z.object({ username: z.string(), password: z.string() }).optional(),
  bearerToken: z.string().optional(),
  signingSecret: nonEmpty.optional(),
  timeoutMs: z.number().int().positive().max(300_000).optional(),
  insecureSkipVerify: z.boolean().optional(),
});
const WEBHOOK_IGNORED = [
  "retryWaitMin",
  "retryWaitMax",
  "retryMax",
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
];

const SCHEMAS = { slack: slackSchema, pagerdutyv2: pagerDutySchema, webhook: webhookSchema } as const;
const IGNORED: Record<ServiceType, readonly string[]> = {
  slack: SLACK_IGNORED,
  pagerdutyv2: [],
  webhook: WEBHOOK_IGNORED,
};

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
  if (!(SUPPORTED_SERVICE_TYPES as readonly string[]).includes(id.type)) {
    errors.warn(
      `service type "${id.type}" is not supported (supported: ${SUPPORTED_SERVICE_TYPES.join(", ")}): notifications to "${id.name}" are not sent (each one is reported as a problem)`,
    );
    return undefined;
  }
  const type = id.type as ServiceType;
  const parsed = parseYamlValue(text, errors);
  if (!parsed.ok) return undefined;
  const raw = parsed.value ?? {};
  if (!isPlainObject(raw)) {
    errors.error("must be a YAML mapping");
    return undefined;
  }
  const resolved = resolveSecretRefs(raw, secret, errors) as Record<string, unknown>;
  if (!errors.ok) return undefined;
  warnUnknownFields(resolved, Object.keys(SCHEMAS[type].shape), IGNORED[type], errors);
  const result = SCHEMAS[type].safeParse(resolved);
  if (!result.success) {
    // zod messages describe types and constraints only; they never echo the (possibly secret) input
    for (const issue of result.error.issues) errors.error(issue.message, issuePath(issue.path) || undefined);
    return undefined;
  }
  const service = { ...result.data, type, name: id.name } as ServiceConfig;
  if (tenantNamespace) service.tenantNamespace = tenantNamespace;
  return service;
}
