// Renders the `telegram:` sections. A template with only a `message` is sent as upstream sends it (Markdown). The
// built-in templates send plain text (no parse mode, so cluster text needs no escaping) threaded per revision.
import type { EscapeMode } from "../../templates/escaping.ts";
import { hasSection, lastNonEmpty, truncateChars } from "../../templates/fields.ts";
import type { RenderInput } from "../service-type.ts";
import type { TelegramMessage, TelegramServiceConfig, TelegramTemplateSpec } from "./telegram-types.ts";

export const TELEGRAM_TEXT_MAX = 4096;

export function telegramTemplateSources(spec: TelegramTemplateSpec): [string, string][] {
  const out: [string, string][] = [];
  for (const k of ["text", "threadKey"] as const) if (typeof spec[k] === "string") out.push([k, spec[k]]);
  return out;
}

export const telegramEscapeMode = (_field: string): EscapeMode => "none";

export function renderTelegram(input: RenderInput<TelegramServiceConfig>): TelegramMessage {
  const { ctx } = input;
  const own = input.templates.filter((t) => hasSection(t, "telegram."));
  const message = lastNonEmpty(input.templates, "message", ctx);
  if (!own.length && message)
    return { text: truncateChars(message.value, TELEGRAM_TEXT_MAX), parseMode: "Markdown" };
  const templates = own.length ? own : input.builtin();
  const text = lastNonEmpty(templates, "telegram.text", ctx) ?? lastNonEmpty(templates, "message", ctx);
  const msg: TelegramMessage = { text: truncateChars(text?.value ?? "", TELEGRAM_TEXT_MAX) };
  for (const t of templates)
    if (t.spec.telegram?.parseMode !== undefined) msg.parseMode = t.spec.telegram.parseMode;
  if (msg.parseMode === "") delete msg.parseMode;
  const threadKey = lastNonEmpty(templates, "telegram.threadKey", ctx)?.value.trim();
  if (threadKey) msg.threadKey = threadKey;
  return msg;
}
