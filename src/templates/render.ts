// Renders the templates a trigger sends (`send: [a, b]`) into one service-shaped Notification: the plain `message`
// plus the part of the destination's service type, rendered by that type (src/sinks/<type>/). As upstream, the
// templates are applied in order to one notification; a field rendered non-empty by a later template replaces an
// earlier one. When no template has a section for the service (e.g. the upstream install ConfigMap, which only
// has Slack parts), the type falls back to the trigger's built-in template.
import type { ServiceConfig } from "../config/types.ts";
import { serviceTypeFor } from "../sinks/registry.ts";
import { builtinCompiledTemplateForTrigger } from "./builtin/index.ts";
import type { CompiledTemplate } from "./compile.ts";
import type { TemplateContext } from "./context.ts";
import { lastNonEmpty } from "./fields.ts";
import type { Notification } from "./notification.ts";
import { TemplateError } from "./template-error.ts";

function builtinFor(
  templates: readonly CompiledTemplate[],
  ctx: TemplateContext,
  section: string,
): CompiledTemplate[] {
  const builtin = builtinCompiledTemplateForTrigger(ctx.trigger);
  if (!builtin) {
    const names = templates.map((t) => t.name).join(", ") || "(none)";
    throw new TemplateError(
      names,
      section,
      `no template defines a ${section} section and "${ctx.trigger}" has no built-in template`,
    );
  }
  return [builtin];
}

/** Renders the templates for one destination's service. Throws TemplateError naming template and field. */
export function renderNotification(
  templates: readonly CompiledTemplate[],
  ctx: TemplateContext,
  service: ServiceConfig,
): Notification {
  const notification: Notification = { message: lastNonEmpty(templates, "message", ctx)?.value ?? "" };
  const def = serviceTypeFor(service);
  const part = def.render({
    templates,
    ctx,
    service,
    builtin: () => builtinFor(templates, ctx, def.templates.section),
  });
  (notification as unknown as Record<string, unknown>)[def.part] = part;
  return notification;
}
