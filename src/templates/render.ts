// Renders the templates a trigger sends (`send: [a, b]`) into one service-shaped Notification. As upstream,
// the templates are applied in order to one notification; a field rendered non-empty by a later template
// replaces an earlier one. When no template has a section for a PagerDuty or webhook destination (e.g. the
// upstream install ConfigMap, which only has Slack parts), the built-in template of the trigger fills it in.
import type { ServiceConfig } from "../config/types.ts";
import { builtinCompiledTemplateForTrigger } from "./builtin/index.ts";
import { ANY_WEBHOOK, type CompiledTemplate, looksLikeJson, renderField } from "./compile.ts";
import type { TemplateContext } from "./context.ts";
import type { EscapeMode } from "./escaping.ts";
import type { Notification, PagerDutyEvent, SlackMessage, WebhookRequest } from "./notification.ts";
import {
  fitSlackAttachments,
  fitSlackBlocks,
  SLACK_MESSAGE_TEXT_MAX,
  truncateChars,
} from "./slack-blocks.ts";
import { TemplateError } from "./template-error.ts";

const PD_SEVERITIES = ["critical", "error", "warning", "info"] as const;
const PD_ACTIONS = ["trigger", "acknowledge", "resolve"] as const;
const PD_SUMMARY_MAX = 1024;

interface Rendered {
  value: string;
  template: string;
}

/** Last non-empty rendering of `path` across templates (the later template wins). */
function lastNonEmpty(
  templates: readonly CompiledTemplate[],
  path: string | ((t: CompiledTemplate) => string | undefined),
  ctx: object,
  mode?: EscapeMode,
): Rendered | undefined {
  let out: Rendered | undefined;
  for (const t of templates) {
    const p = typeof path === "string" ? path : path(t);
    if (!p) continue;
    const value = renderField(t, p, ctx, mode);
    if (value !== undefined && value.trim() !== "") out = { value, template: t.name };
  }
  return out;
}

function parseJsonField(r: Rendered, field: string, expect: "array" | "object" | "any"): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.value);
  } catch (err) {
    throw new TemplateError(r.template, field, `rendered text is not valid JSON (${(err as Error).message})`);
  }
  const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  const ok = expect === "any" || (expect === "array" ? Array.isArray(parsed) : isObject);
  if (!ok)
    throw new TemplateError(
      r.template,
      field,
      `rendered JSON must be ${expect === "array" ? "an array" : "an object"}`,
    );
  return parsed;
}

const hasSection = (t: CompiledTemplate, prefix: string) =>
  [...t.fields.keys()].some((k) => k.startsWith(prefix));

function withBuiltinFallback(
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

function renderSlack(templates: readonly CompiledTemplate[], ctx: TemplateContext): SlackMessage {
  const text = lastNonEmpty(templates, "slack.text", ctx) ?? lastNonEmpty(templates, "message", ctx, "slack");
  const attachmentsR = lastNonEmpty(templates, "slack.attachments", ctx);
  const blocksR = lastNonEmpty(templates, "slack.blocks", ctx);
  const msg: SlackMessage = { text: truncateChars(text?.value ?? "", SLACK_MESSAGE_TEXT_MAX) };
  if (blocksR) msg.blocks = fitSlackBlocks(parseJsonField(blocksR, "slack.blocks", "array") as unknown[]);
  if (attachmentsR) {
    msg.attachments = fitSlackAttachments(
      parseJsonField(attachmentsR, "slack.attachments", "array") as unknown[],
    );
  }
  for (const k of ["username", "icon", "groupingKey"] as const) {
    const r = lastNonEmpty(templates, `slack.${k}`, ctx);
    if (r) msg[k] = r.value.trim();
  }
  for (const t of templates) {
    if (t.slack?.notifyBroadcast !== undefined) msg.notifyBroadcast = t.slack.notifyBroadcast;
    if (t.slack?.deliveryPolicy !== undefined) msg.deliveryPolicy = t.slack.deliveryPolicy;
  }
  const rootText = lastNonEmpty(templates, "slack.threadRoot.text", ctx);
  const rootBlocks = lastNonEmpty(templates, "slack.threadRoot.blocks", ctx);
  const rootAttachments = lastNonEmpty(templates, "slack.threadRoot.attachments", ctx);
  if (rootText || rootBlocks || rootAttachments) {
    msg.threadRoot = { text: truncateChars(rootText?.value ?? msg.text, SLACK_MESSAGE_TEXT_MAX) };
    if (rootBlocks) {
      msg.threadRoot.blocks = fitSlackBlocks(
        parseJsonField(rootBlocks, "slack.threadRoot.blocks", "array") as unknown[],
      );
    }
    if (rootAttachments) {
      msg.threadRoot.attachments = fitSlackAttachments(
        parseJsonField(rootAttachments, "slack.threadRoot.attachments", "array") as unknown[],
      );
    }
  }
  return msg;
}

function defaultDedupKey(ctx: TemplateContext): string {
  const m = ctx.rollout.metadata;
  return `${m.namespace ?? ""}/${m.name}/${ctx.revision}`;
}

function renderPagerDuty(templates: readonly CompiledTemplate[], ctx: TemplateContext): PagerDutyEvent {
  const r = (k: string, mode?: EscapeMode) => lastNonEmpty(templates, `pagerdutyv2.${k}`, ctx, mode);
  const m = ctx.rollout.metadata;
  const severityR = r("severity");
  const severity = (severityR?.value.trim().toLowerCase() ?? "error") as PagerDutyEvent["severity"];
  if (!PD_SEVERITIES.includes(severity)) {
    throw new TemplateError(
      severityR!.template,
      "pagerdutyv2.severity",
      `"${severityR!.value}" is not one of ${PD_SEVERITIES.join(", ")}`,
    );
  }
  const actionR = r("eventAction");
  const eventAction = (actionR?.value.trim().toLowerCase() ?? "trigger") as PagerDutyEvent["eventAction"];
  if (!PD_ACTIONS.includes(eventAction)) {
    throw new TemplateError(
      actionR!.template,
      "pagerdutyv2.eventAction",
      `"${actionR!.value}" is not one of ${PD_ACTIONS.join(", ")}`,
    );
  }
  const summary = r("summary") ?? lastNonEmpty(templates, "message", ctx);
  const event: PagerDutyEvent = {
    eventAction,
    dedupKey: r("dedupKey")?.value.trim() ?? defaultDedupKey(ctx),
    summary: truncateChars(
      (summary?.value ?? `Rollout ${m.namespace}/${m.name}: ${ctx.trigger}`).trim(),
      PD_SUMMARY_MAX,
    ),
    severity,
    source: r("source")?.value.trim() ?? `${m.namespace ?? ""}/${m.name}`,
  };
  for (const k of ["component", "group", "class", "incidentGroup"] as const) {
    const v = r(k);
    if (v) event[k] = v.value.trim();
  }
  const url = r("url");
  if (url) event.clientUrl = url.value.trim();
  const details: Record<string, unknown> = {};
  for (const t of templates) {
    const whole = lastNonEmpty([t], "pagerdutyv2.customDetails", ctx);
    if (whole) Object.assign(details, parseJsonField(whole, "pagerdutyv2.customDetails", "object"));
    for (const path of t.fields.keys()) {
      if (!path.startsWith("pagerdutyv2.customDetails.")) continue;
      const v = lastNonEmpty([t], path, ctx);
      if (v) details[path.slice("pagerdutyv2.customDetails.".length)] = v.value;
    }
  }
  if (Object.keys(details).length) event.customDetails = details;
  return event;
}

function webhookKey(t: CompiledTemplate, service: string): string | undefined {
  if (t.webhookNames.includes(service)) return service;
  return t.webhookNames.includes(ANY_WEBHOOK) ? ANY_WEBHOOK : undefined;
}

function renderWebhook(
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

/** Renders the templates for one destination's service. Throws TemplateError naming template and field. */
export function renderNotification(
  templates: readonly CompiledTemplate[],
  ctx: TemplateContext,
  service: ServiceConfig,
): Notification {
  const notification: Notification = { message: lastNonEmpty(templates, "message", ctx)?.value ?? "" };
  switch (service.type) {
    case "slack": {
      let slack = renderSlack(templates, ctx);
      if (!slack.text.trim() && !slack.blocks?.length && !slack.attachments?.length) {
        slack = renderSlack(withBuiltinFallback(templates, ctx, "slack"), ctx);
      }
      notification.slack = slack;
      break;
    }
    case "pagerdutyv2": {
      const own = templates.filter((t) => hasSection(t, "pagerdutyv2."));
      notification.pagerduty = renderPagerDuty(
        own.length ? own : withBuiltinFallback(templates, ctx, "pagerdutyv2"),
        ctx,
      );
      break;
    }
    case "webhook": {
      const own = templates.filter((t) => webhookKey(t, service.name) !== undefined);
      notification.webhook = renderWebhook(
        own.length ? own : withBuiltinFallback(templates, ctx, "webhook"),
        ctx,
        service.name,
      );
      break;
    }
  }
  return notification;
}
