// The Telegram service type (notifications-engine `telegram`): Bot API sendMessage to chat ids, forum topics
// ("<chat id>|<topic>") and public channels ("@name"); built-in messages reply within one thread per revision.

import { revisionStore } from "../common/revision-store.ts";
import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinTelegramTemplate } from "./telegram-builtin.ts";
import { telegramConfigSchema, telegramTemplateSchema } from "./telegram-config.ts";
import { normalizeTelegramRecipient, parseTelegramRecipient } from "./telegram-recipient.ts";
import { renderTelegram, telegramEscapeMode, telegramTemplateSources } from "./telegram-render.ts";
import { TELEGRAM_THREADS, TelegramSink } from "./telegram-sink.ts";
import type { TelegramMessage, TelegramServiceConfig, TelegramTemplateSpec } from "./telegram-types.ts";
import { type TelegramWirePayload, telegramCaptureLine, telegramWirePayload } from "./telegram-wire.ts";

export const telegramService: ServiceTypeDefinition<
  TelegramServiceConfig,
  TelegramTemplateSpec,
  TelegramMessage,
  TelegramWirePayload
> = {
  type: "telegram",
  docs: "docs/services/telegram.md",
  config: { schema: telegramConfigSchema },
  secrets: (c) => [c.token],
  recipients: {
    normalize: normalizeTelegramRecipient,
    problem: (_c, r) => {
      const chat = parseTelegramRecipient(r);
      return "problem" in chat ? `cannot send to ${JSON.stringify(r)}: ${chat.problem}` : undefined;
    },
  },
  templates: {
    section: "telegram",
    schema: telegramTemplateSchema,
    knownKeys: Object.keys(telegramTemplateSchema.shape),
    sources: telegramTemplateSources,
    escapeMode: telegramEscapeMode,
    builtin: builtinTelegramTemplate,
  },
  part: "telegram",
  render: renderTelegram,
  wirePayload: telegramWirePayload,
  captureLine: telegramCaptureLine,
  // Telegram: about one message per second per chat (bursts tolerated), 20 per minute in groups
  rateLimit: { perSecond: 1, burst: 3 },
  threading: "one reply thread per Rollout revision: later messages reply to the revision's first one",
  previewConfig: (name) => ({ type: "telegram", name, token: "0:preview-token-not-used-xxxxxxxx" }),
  createSink: (deps) => {
    return new TelegramSink({ threads: revisionStore(deps, TELEGRAM_THREADS), ...sinkOptions(deps) });
  },
};
