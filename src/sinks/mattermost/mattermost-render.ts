// Renders the `mattermost:` sections. As upstream, the post's message is the template's `message` and
// `attachments` a JSON array (values JSON-escaped); groupingKey, deliveryPolicy and threadRoot are extensions (the
// built-in templates use them for one thread per Rollout revision). A template with only a `message` sends it as
// upstream does; a trigger whose templates render nothing for Mattermost sends its built-in section.
import type { CompiledTemplate } from "../../templates/compile.ts";
import type { TemplateContext } from "../../templates/context.ts";
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, parseJsonField, truncateChars } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import { MATTERMOST_MAX_MESSAGE } from "./mattermost-request.ts";
import type {
  MattermostContent,
  MattermostPost,
  MattermostServiceConfig,
  MattermostTemplateSpec,
} from "./mattermost-types.ts";

export function mattermostTemplateSources(spec: MattermostTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["attachments", "groupingKey"] as const)
    if (typeof spec[k] === "string") out.push([k, spec[k]]);
  const root = spec.threadRoot;
  if (root)
    for (const k of ["message", "attachments"] as const)
      if (typeof root[k] === "string") out.push([`threadRoot.${k}`, root[k]]);
  return out;
}

export const mattermostEscapeMode = (field: string): EscapeMode =>
  field === "attachments" || field === "threadRoot.attachments" ? "json" : "none";

function content(message: string, attachments: unknown[] | undefined): MattermostContent {
  const c: MattermostContent = { message: truncateChars(message, MATTERMOST_MAX_MESSAGE) };
  if (attachments?.length) c.attachments = attachments;
  return c;
}

function renderSections(templates: readonly CompiledTemplate[], ctx: TemplateContext): MattermostPost {
  const message = lastNonEmpty(templates, "message", ctx)?.value ?? "";
  const attachments = lastNonEmpty(templates, "mattermost.attachments", ctx);
  const post: MattermostPost = content(
    message,
    attachments ? (parseJsonField(attachments, "mattermost.attachments", "array") as unknown[]) : undefined,
  );
  const groupingKey = lastNonEmpty(templates, "mattermost.groupingKey", ctx);
  if (groupingKey) post.groupingKey = groupingKey.value.trim();
  for (const t of templates) {
    const policy = t.spec.mattermost?.deliveryPolicy;
    if (policy !== undefined) post.deliveryPolicy = policy;
  }
  const rootMessage = lastNonEmpty(templates, "mattermost.threadRoot.message", ctx);
  const rootAttachments = lastNonEmpty(templates, "mattermost.threadRoot.attachments", ctx);
  if (rootMessage || rootAttachments) {
    post.threadRoot = content(
      rootMessage?.value ?? post.message,
      rootAttachments
        ? (parseJsonField(rootAttachments, "mattermost.threadRoot.attachments", "array") as unknown[])
        : undefined,
    );
  }
  return post;
}

export function renderMattermost(input: RenderInput<MattermostServiceConfig>): MattermostPost {
  const own = input.templates.filter((t) => hasSection(t, "mattermost."));
  if (own.length) {
    const post = renderSections(input.templates, input.ctx);
    if (post.message.trim() || post.attachments) return post;
    return renderSections(input.builtin(), input.ctx);
  }
  const message = lastNonEmpty(input.templates, "message", input.ctx);
  if (message) return content(message.value, undefined);
  return renderSections(input.builtin(), input.ctx);
}
