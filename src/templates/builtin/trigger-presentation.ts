// How each built-in trigger is presented: template name (upstream names, so an install ConfigMap's
// `send: [rollout-aborted]` finds the built-in), wording, colour by outcome, and PagerDuty behaviour.
import type { BuiltinTrigger } from "../../triggers/trigger-names.ts";

export type Outcome = "progress" | "success" | "paused" | "failure" | "warning" | "info";

export const OUTCOME_COLORS: Readonly<Record<Outcome, string>> = {
  progress: "#439FE0",
  info: "#439FE0",
  success: "#18BE52",
  paused: "#ECB22E",
  warning: "#ECB22E",
  failure: "#E01E5A",
};

export interface TriggerPresentation {
  trigger: BuiltinTrigger;
  /** Template name (upstream's where one exists). */
  template: string;
  outcome: Outcome;
  emoji: string;
  /** Short event headline (Handlebars, plain text). */
  headline: string;
  /** Revision state shown in the thread root (Handlebars, plain text). */
  state: string;
  /** Plain-text message (template `message`; Handlebars). */
  message: string;
  /** Whether failed metrics are listed. */
  showsFailedMetrics: boolean;
  pagerduty: {
    eventAction: "trigger" | "resolve";
    severity: "critical" | "error" | "warning" | "info";
    alert: boolean;
  };
}

const REF = "{{rollout.metadata.namespace}}/{{rollout.metadata.name}}";
const STEP = "{{#if step}} (step {{step.index}}/{{step.total}}){{/if}}";
const RUN = "{{analysisRun.metadata.name}}";

export const TRIGGER_PRESENTATIONS: readonly TriggerPresentation[] = [
  {
    trigger: "on-rollout-updated",
    template: "rollout-updated",
    outcome: "progress",
    emoji: ":arrows_counterclockwise:",
    headline: "Rollout updated to revision {{revision}}",
    state: "Progressing",
    message: `Rollout ${REF} has been updated to revision {{revision}}.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-rollout-step-completed",
    template: "rollout-step-completed",
    outcome: "progress",
    emoji: ":white_check_mark:",
    headline: "Step {{step.index}}/{{step.total}} completed",
    state: `Progressing${STEP}`,
    message: `Rollout ${REF} step {{step.index}}/{{step.total}} has been completed.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-rollout-paused",
    template: "rollout-paused",
    outcome: "paused",
    emoji: ":double_vertical_bar:",
    headline:
      "Paused{{#each rollout.status.pauseConditions}}{{#if @first}}: {{else}}, {{/if}}{{reason}}{{/each}}",
    state: `Paused${STEP}`,
    message: `Rollout ${REF} has been paused.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-rollout-resumed",
    template: "rollout-resumed",
    outcome: "progress",
    emoji: ":arrow_forward:",
    headline: "Resumed",
    state: `Progressing${STEP}`,
    message: `Rollout ${REF} has been resumed.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-rollout-completed",
    template: "rollout-completed",
    outcome: "success",
    emoji: ":large_green_circle:",
    headline: "Revision {{revision}} completed",
    state: "Completed",
    message: `Rollout ${REF} revision {{revision}} has been completed.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "resolve", severity: "info", alert: true },
  },
  {
    trigger: "on-rollout-aborted",
    template: "rollout-aborted",
    outcome: "failure",
    emoji: ":red_circle:",
    headline: "Aborted",
    state: `Aborted${STEP}`,
    message: `Rollout ${REF} revision {{revision}} has been aborted.{{#if statusMessage}} {{statusMessage}}{{/if}}`,
    showsFailedMetrics: true,
    pagerduty: { eventAction: "trigger", severity: "error", alert: true },
  },
  {
    trigger: "on-scaling-replica-set",
    template: "scaling-replicaset",
    outcome: "info",
    emoji: ":left_right_arrow:",
    headline:
      "Scaling to {{default rollout.spec.replicas 0}} replicas ({{default rollout.status.updatedReplicas 0}} updated)",
    state: `Progressing${STEP}`,
    message: `Scaling Rollout ${REF}'s replica set to {{default rollout.spec.replicas 0}}.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-analysis-run-started",
    template: "analysis-run-running",
    outcome: "progress",
    emoji: ":mag:",
    headline: `Analysis ${RUN} started`,
    state: `Progressing${STEP}`,
    message: `Rollout ${REF}'s analysis run ${RUN} is running.`,
    showsFailedMetrics: false,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-analysis-run-completed",
    template: "analysis-run-completed",
    outcome: "success",
    emoji: ":bar_chart:",
    headline: `Analysis ${RUN} {{default analysisRun.status.phase 'completed'}}`,
    // A background analysis ends after its revision completed (or failed before the abort): keep the root's state.
    state:
      "{{#if (and rollout.status.stableRS (eq rollout.status.stableRS rollout.status.currentPodHash) " +
      "(eq revision (lookup rollout.metadata.annotations 'rollout.argoproj.io/revision')))}}Completed" +
      `{{else}}{{#if (eq analysisRun.status.phase 'Failed' 'Error')}}Analysis failed${STEP}{{else}}Progressing${STEP}{{/if}}{{/if}}`,
    message: `Rollout ${REF}'s analysis run ${RUN} completed ({{default analysisRun.status.phase 'unknown'}}).`,
    showsFailedMetrics: true,
    pagerduty: { eventAction: "trigger", severity: "info", alert: false },
  },
  {
    trigger: "on-analysis-run-failed",
    template: "analysis-run-failed",
    outcome: "failure",
    emoji: ":x:",
    headline: `Analysis ${RUN} failed`,
    state: `Analysis failed${STEP}`,
    message: `Rollout ${REF}'s analysis run ${RUN} failed.{{#if analysisRun.status.message}} {{analysisRun.status.message}}{{/if}}`,
    showsFailedMetrics: true,
    pagerduty: { eventAction: "trigger", severity: "error", alert: true },
  },
  {
    trigger: "on-analysis-run-error",
    template: "analysis-run-error",
    outcome: "warning",
    emoji: ":warning:",
    headline: `Analysis ${RUN} errored`,
    state: `Analysis error${STEP}`,
    message: `Rollout ${REF}'s analysis run ${RUN} is in error state.{{#if analysisRun.status.message}} {{analysisRun.status.message}}{{/if}}`,
    showsFailedMetrics: true,
    pagerduty: { eventAction: "trigger", severity: "warning", alert: true },
  },
];
