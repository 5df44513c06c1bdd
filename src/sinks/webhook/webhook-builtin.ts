// Built-in webhook template: the versioned JSON document described in docs/webhook-payload.md (version "v1").
// Applies to every webhook service (key "*"). Fields are only ever added within v1; removals or changes of
// meaning get a new version.

import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { WebhookTemplateSpec } from "./webhook-types.ts";

export const WEBHOOK_PAYLOAD_VERSION = "v1";

const ANALYSIS_RUN =
  '{{#if analysisRun}}{"namespace":{{json analysisRun.metadata.namespace}},"name":{{json analysisRun.metadata.name}},' +
  '"uid":{{json analysisRun.metadata.uid}},"phase":{{json analysisRun.status.phase}},' +
  '"message":{{json analysisRun.status.message}} }{{else}}null{{/if}}';

/** The v1 body for one trigger; `summary` is the trigger's plain-text message. */
export const webhookV1Body = (p: TriggerPresentation) =>
  `{"version":"${WEBHOOK_PAYLOAD_VERSION}","id":{{json transition.id}},"trigger":{{json trigger}},` +
  '"time":{{json time}},"detail":{{json transition.detail}},' +
  '"rollout":{"namespace":{{json rollout.metadata.namespace}},"name":{{json rollout.metadata.name}},' +
  '"uid":{{json rollout.metadata.uid}},"revision":{{json revision}},"strategy":{{json strategy}},' +
  '"step":{{json step}},"images":{{json images}},"statusMessage":{{json statusMessage}} },' +
  `"analysisRun":${ANALYSIS_RUN},"failedMetrics":{{json failedMetrics}},"summary":"${p.message}"}`;

export function builtinWebhookTemplate(p: TriggerPresentation): WebhookTemplateSpec {
  return {
    method: "POST",
    body: webhookV1Body(p),
    headers: [{ name: "Content-Type", value: "application/json" }],
  };
}
