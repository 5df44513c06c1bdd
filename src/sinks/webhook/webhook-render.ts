// Renders the `webhook:` sections of a trigger's templates for one webhook service: the section named like the
// service, else "*" (the built-in templates' key for every webhook). A body that looks like JSON is JSON-escaped
// and must render to valid JSON. Without any section for the service, the trigger's built-in template is used.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { lastNonEmpty, looksLikeJson, parseJsonField, renderField } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { WebhookRequest, WebhookServiceConfig, WebhookTemplateSpec } from "./webhook-types.ts";

/** Key under `webhook:` that applies to every webhook service (used by the built-in templates). */
export const ANY_WEBHOOK = "*";

export function webhookTemplateSources(section: Record<string, WebhookTemplateSpec>): [string, string][] {
  const out: [string, string][] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "string") out.push([path, v]);
  };
  for (const [name, wh] of Object.entries(section)) {
    add(`${name}.method`, wh.method);
    add(`${name}.path`, wh.path);
    add(`${name}.body`, wh.body);
    for (const h of wh.headers ?? []) add(`${name}.headers.${h.name}`, h.value);
  }
  return out;
}

export const webhookEscapeMode = (field: string, source: string): EscapeMode =>
  /^.+\.body$/.test(field) && looksLikeJson(source) ? "json" : "none";

function webhookKey(t: CompiledTemplate, service: string): string | undefined {
  const names = Object.keys(t.spec.webhook ?? {});
  if (names.includes(service)) return service;
  return names.includes(ANY_WEBHOOK) ? ANY_WEBHOOK : undefined;
}

function renderRequest(
  templates: readonly CompiledTemplate[],
  ctx: TemplateContext,
  service: string,
): WebhookRequest {
  const r = (k: string) =>
    lastNonEmpty(
      templates,
      (t) => {
        const key = webhookKey(t, service);
        return key === undefined ? undefined : `webhook.${key}.${k}`;
      },
      ctx,
    );
  const bodyR = r("body");
  const body = bodyR?.value ?? "";
  if (bodyR) {
    const t = templates.find((x) => x.name === bodyR.template)!;
    const source = t.fields.get(`webhook.${webhookKey(t, service)}.body`)?.source ?? "";
    if (looksLikeJson(source)) parseJsonField(bodyR, `webhook.${service}.body`, "any");
  }
  const req: WebhookRequest = {
    method: (r("method")?.value.trim() || (body ? "POST" : "GET")).toUpperCase(),
    path: r("path")?.value.trim() ?? "",
    body,
  };
  const headers = new Map<string, string>();
  for (const t of templates) {
    const key = webhookKey(t, service);
    if (key === undefined) continue;
    for (const h of t.spec.webhook?.[key]?.headers ?? []) {
      headers.set(h.name, renderField(t, `webhook.${key}.headers.${h.name}`, ctx) ?? "");
    }
  }
  if (body && looksLikeJson(body) && ![...headers.keys()].some((k) => k.toLowerCase() === "content-type")) {
    headers.set("Content-Type", "application/json");
  }
  if (headers.size) req.headers = [...headers].map(([name, value]) => ({ name, value }));
  return req;
}

export function renderWebhook(input: RenderInput<WebhookServiceConfig>): WebhookRequest {
  const name = input.service.name;
  const own = input.templates.filter((t) => webhookKey(t, name) !== undefined);
  return renderRequest(own.length ? own : input.builtin(), input.ctx, name);
}
