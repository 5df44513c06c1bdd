// Renders the `awssqs:` sections. A template with only a `message` is sent as upstream sends it (the message as the
// body); `awssqs.body` wins over the message; messageAttributes come from the last template that has them (as
// upstream: a later map replaces an earlier one), empty values are left out; a JSON body is JSON-escaped and checked.
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import {
  hasSection,
  lastNonEmpty,
  looksLikeJson,
  parseJsonField,
  renderField,
} from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { AwsSqsMessage, AwsSqsServiceConfig, AwsSqsTemplateSpec } from "./awssqs-types.ts";

export function awsSqsTemplateSources(spec: AwsSqsTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  if (typeof spec.body === "string") out.push(["body", spec.body]);
  for (const [name, value] of Object.entries(spec.messageAttributes ?? {}))
    out.push([`messageAttributes.${name}`, value]);
  if (typeof spec.messageGroupId === "string") out.push(["messageGroupId", spec.messageGroupId]);
  if (typeof spec.messageDeduplicationId === "string")
    out.push(["messageDeduplicationId", spec.messageDeduplicationId]);
  return out;
}

export const awsSqsEscapeMode = (field: string, source: string): EscapeMode =>
  field === "body" && looksLikeJson(source) ? "json" : "none";

function rolloutGroup(ctx: TemplateContext): string | undefined {
  const meta = (ctx.rollout as { metadata?: { namespace?: unknown; name?: unknown } } | undefined)?.metadata;
  return typeof meta?.namespace === "string" && typeof meta.name === "string"
    ? `${meta.namespace}/${meta.name}`
    : undefined;
}

export function renderAwsSqs(input: RenderInput<AwsSqsServiceConfig>): AwsSqsMessage {
  const { ctx } = input;
  const group = rolloutGroup(ctx);
  const withGroup = (m: AwsSqsMessage): AwsSqsMessage => (group ? { ...m, defaultMessageGroupId: group } : m);
  const own = input.templates.filter((t) => hasSection(t, "awssqs."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message) return withGroup({ body: message.value });
  const templates = own.length ? own : input.builtin();
  const body = lastNonEmpty(templates, "awssqs.body", ctx);
  if (body) {
    const source = templates.find((t) => t.name === body.template)?.spec.awssqs?.body ?? "";
    if (looksLikeJson(source)) parseJsonField(body, "awssqs.body", "any");
  }
  const out: AwsSqsMessage = { body: body?.value ?? message?.value ?? "" };
  const withAttributes = templates.filter((t) => Object.keys(t.spec.awssqs?.messageAttributes ?? {}).length);
  const last = withAttributes.at(-1);
  if (last) {
    const attributes: Record<string, string> = {};
    for (const name of Object.keys(last.spec.awssqs?.messageAttributes ?? {})) {
      const value = renderField(last, `awssqs.messageAttributes.${name}`, ctx)?.trim();
      if (value) attributes[name] = value;
    }
    if (Object.keys(attributes).length) out.messageAttributes = attributes;
  }
  const groupId = lastNonEmpty(templates, "awssqs.messageGroupId", ctx)?.value.trim();
  if (groupId) out.messageGroupId = groupId;
  const dedup = lastNonEmpty(templates, "awssqs.messageDeduplicationId", ctx)?.value.trim();
  if (dedup) out.messageDeduplicationId = dedup;
  return withGroup(out);
}
