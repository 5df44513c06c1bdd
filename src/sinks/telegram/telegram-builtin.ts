// Built-in Telegram templates: plain text (no parse mode: cluster text cannot break entities), one reply thread per
// Rollout revision (threadKey): the revision's first message starts it, later ones reply to it.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { TelegramTemplateSpec } from "./telegram-types.ts";

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const EMOJI: Record<string, string> = {
  progress: "🔄",
  info: "ℹ️",
  success: "✅",
  paused: "⏸️",
  warning: "⚠️",
  failure: "❌",
};

export function builtinTelegramTemplate(p: TriggerPresentation): TelegramTemplateSpec {
  return {
    text:
      `${EMOJI[p.outcome] ?? ""} ${p.headline}\n${p.message}\n${REF} · revision {{revision}} · ${p.state}` +
      "{{#if failedMetrics}}\n{{#each failedMetrics}}• {{name}} {{phase}}{{#if value}} (value {{value}}){{/if}}: {{condition}}\n{{/each}}{{/if}}",
    parseMode: "",
    threadKey: `${REF}/{{revision}}`,
  };
}
