// Built-in Alertmanager templates. Alerting triggers (abort, analysis failed/error) fire alert ArgoRolloutFailed
// for the Rollout (labels alertname, namespace, rollout, severity — no revision, so one alert per Rollout); a
// completion sends the same labels with endsAt = now, which resolves it. Informational triggers (only sent when a
// subscription asks for them) fire ArgoRolloutEvent with the trigger as a label, severity info.
import type { TriggerPresentation } from "../../templates/builtin/trigger-presentation.ts";
import type { AlertmanagerTemplateSpec } from "./alertmanager-types.ts";

export function builtinAlertmanagerTemplate(p: TriggerPresentation): AlertmanagerTemplateSpec {
  const resolve = p.pagerduty.eventAction === "resolve";
  const alert = p.pagerduty.alert || resolve;
  const labels: Record<string, string> = {
    alertname: alert ? "ArgoRolloutFailed" : "ArgoRolloutEvent",
    namespace: "{{rollout.metadata.namespace}}",
    rollout: "{{rollout.metadata.name}}",
    severity: alert ? (p.pagerduty.severity === "warning" ? "warning" : "critical") : "info",
  };
  if (!alert) labels.trigger = "{{trigger}}";
  const spec: AlertmanagerTemplateSpec = {
    labels,
    annotations: {
      summary: p.message,
      revision: "{{revision}}",
      state: p.state,
      failedMetrics:
        "{{#each failedMetrics}}{{#if @index}}; {{/if}}{{name}} {{phase}}: {{condition}}{{/each}}",
    },
  };
  if (resolve) spec.endsAt = "{{time}}";
  return spec;
}
