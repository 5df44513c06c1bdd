// The corpus: each case is a real public config (configs/, cited in README.md), the Secret values it needs, a
// history (examples/histories) subscribed the way the config expects, and what Argo Rollouts sends for it —
// derived by hand from upstream's code (argoproj/argo-rollouts utils/record/record.go, rollout/*.go;
// argoproj/notifications-engine pkg/api, pkg/controller, pkg/services, pkg/triggers), never from our output.
//
// Upstream facts the expectations rest on:
// - Event path (record.go sendNotifications): trigger on-<kebab(reason)> runs when the controller records an
//   event; a condition without `when` always sends, one with `when` sends when it is true for `c.rollout`: the
//   Rollout as the reconcile read it, before its status patch (so at the step-completed event of step n,
//   status.currentStepIndex is still n-1). AnalysisRun events are recorded on the Rollout (rollout/analysis.go).
//   A trigger the ConfigMap does not define is skipped ("is not configured").
// - Condition path (notifications-engine controller over every Rollout update): a condition with a `when` sends
//   when it becomes true (once; again after it turned false); a failing expression is false.
// - ParseConfig (pkg/api/config.go): any key that does not unmarshal rejects the whole ConfigMap: nothing is sent.
// - Templates: Go text/template + Sprig; webhook: url + "/" + path, body = the webhook part's body (not message).
import type { HistoryEdit, Sent } from "./compat-kit.ts";

export interface CompatCase {
  /** configs/<name>.yaml files merged into one ConfigMap (later keys win). */
  configs: string[];
  secret: Record<string, string>;
  history: string;
  edit: HistoryEdit;
  /** What Argo Rollouts sends, in order per destination. */
  upstream: Sent[];
  /**
   * When this service deliberately sends something else: what it sends (fields given are compared) and each
   * difference's named reason, reported at load (a config warning or error) and by `migrate` (a difference).
   */
  differs?: { sent: Sent[]; load: string[]; migrate: string[] };
  /** Problems replay must report (a notification upstream would also not send, said here). */
  problems?: string[];
  /**
   * The feature of another part of issue 10 this case waits for (the test is skipped with this reason until it
   * lands): the expectations stay the upstream truth.
   */
  pendingOn?: string;
}

const SLACK = { "slack-token": "xoxb-compat-corpus-token" };
const sub = (trigger: string, service: string, recipient: string) => ({
  [`notifications.argoproj.io/subscribe.${trigger}.${service}`]: recipient,
});
/** install.yaml's rollout-completed message for canary-abort-retry.yaml: [4] revision 1, [21] revision 2. */
const completedTwice = (to: string) =>
  [1, 2].map(() => ({
    trigger: "on-rollout-completed",
    to,
    text: "Rollout canary-demo has been completed.",
  }));

/** matijaoreskovic-canary's templates rendered for canary-demo (Sprig camelcase: "CanaryDemo"). */
function matijaoreskovicNotification(kind: string, version: string): Sent {
  const to = "slack:notifications-test";
  if (kind === "completed")
    return {
      trigger: "on-rollout-completed",
      to,
      attachments: [
        {
          title: ":white_check_mark: We just released a new CanaryDemo version!",
          color: "#18be52",
          fields: [{ title: "Service: CanaryDemo", value: `Version: ${version}`, short: true }],
        },
      ],
    };
  if (kind === "step")
    return {
      trigger: "on-rollout-step-completed",
      to,
      attachments: [
        {
          title: "Canary step for CanaryDemo rollout completed!",
          color: "#f2c744",
          fields: [
            {
              title: `Service: CanaryDemo with version ${version}`,
              value: "Current weight: 50%",
              short: true,
            },
          ],
        },
      ],
    };
  return {
    trigger: "on-rollout-aborted",
    to,
    attachments: [
      {
        title: "Canary rollout for CanaryDemo aborted! :x:",
        color: "#ff0000",
        fields: [
          {
            title: `CanaryDemo with version ${version}`,
            value: "Rolling back to previous version...",
            short: true,
          },
        ],
      },
    ],
  };
}

/** tah-rak-terraform's texts for rollout-background-analysis (each `message: |` keeps its final newline). */
const TAH_RAK = {
  updated: "Rollout rollout-background-analysis has been updated.\nNamespace: default\nPhase: Progressing\n",
  step: (index: string, phase: string) =>
    `✅ Rollout rollout-background-analysis completed step ${index}.\nPhase: ${phase}\n`,
  aborted:
    '⚠️ Rollout rollout-background-analysis has been ABORTED!\nNamespace: default\nMessage: RolloutAborted: metric "web" assessed Failed due to failed (1) > failureLimit (0)\n',
  completed: "🎉 Rollout rollout-background-analysis completed successfully!\nNamespace: default\n",
  /** Here only: the run's name, its labels have no `rollout` (<no value>), its message. */
  analysisRunFailed:
    '❌ Analysis Run rollout-background-analysis-db976bc44-2 FAILED!\nRollout: <no value>\nMessage: metric "web" assessed Failed due to failed (1) > failureLimit (0)\n',
};

/** ilyastoli-argocd's catalog-style Slack notification: the message and its one attachment. */
function ilyastoliNotification(
  trigger: string,
  [name, container]: [string, string],
  what: string,
  color: string,
  image: string,
): Sent {
  return {
    trigger,
    to: "slack:general",
    text: `Rollout ${name}${what}`,
    attachments: [
      {
        title: name,
        color,
        fields: [
          { title: "Strategy", value: "Canary", short: true },
          { title: container, value: `argoproj/rollouts-demo:${image}`, short: true },
        ],
      },
    ],
  };
}

/**
 * rommelporras-homelab's Discord webhook: a POST of the template's body to the Secret's URL (DISCORD), which the
 * dry run prints redacted (a Secret value).
 */
const DISCORD = "https://discord.com/api/webhooks/0/compat-corpus";
const homelabNotification = (trigger: string, content: string): Sent => ({
  trigger,
  to: "discord-gitops:",
  webhook: { method: "POST", url: "[redacted]", body: `{\n  "content": "${content}"\n}\n` },
});

export const CASES: Record<string, CompatCase> = {
  // The docs' annotation (two channels) on upstream's own templates: the step-completed event of step n sees
  // currentStepIndex n-1, so `add .rollout.status.currentStepIndex 1` is n. Events: [10] step 1, [17] step 1
  // again after the retry, [19] step 2.
  "install-step-numbers": {
    configs: ["install", "docs-slack"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-step-completed", "slack", "my-channel1;my-channel2") },
    upstream: ["my-channel1", "my-channel2"].flatMap((ch) =>
      ["1/2", "1/2", "2/2"].map((n) => ({
        trigger: "on-rollout-step-completed",
        to: `slack:${ch}`,
        text: `Rollout canary-demo step number ${n} has been completed.`,
      })),
    ),
  },
  // Lifecycle events of canary-abort-retry.yaml: RolloutUpdated [3], RolloutCompleted [4], RolloutUpdated [8],
  // RolloutPaused [11], RolloutAborted [12], RolloutPaused [18], RolloutCompleted [21] (RolloutResumed [19] has
  // no trigger in install.yaml and no subscription).
  "install-lifecycle": {
    configs: ["install", "docs-slack"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-updated", "slack", "deploys"),
        ...sub("on-rollout-paused", "slack", "deploys"),
        ...sub("on-rollout-aborted", "slack", "deploys"),
        ...sub("on-rollout-completed", "slack", "deploys"),
      },
    },
    upstream: [
      ["on-rollout-updated", "has been updated."],
      ["on-rollout-completed", "has been completed."],
      ["on-rollout-updated", "has been updated."],
      ["on-rollout-paused", "has been paused."],
      ["on-rollout-aborted", "has been aborted."],
      ["on-rollout-paused", "has been paused."],
      ["on-rollout-completed", "has been completed."],
    ].map(([trigger, what]) => ({
      trigger: trigger!,
      to: "slack:deploys",
      text: `Rollout canary-demo ${what}`,
    })),
  },
  // Background analysis: AnalysisRunRunning (revision 2), AnalysisRunFailed, RolloutAborted, AnalysisRunRunning
  // (revision 3); all recorded on the Rollout, so `.rollout` is the Rollout. No analysis error in this history.
  "install-analysis": {
    configs: ["install", "docs-slack"],
    secret: SLACK,
    history: "canary-analysis-failure.yaml",
    edit: {
      annotations: {
        ...sub("on-analysis-run-running", "slack", "alerts"),
        ...sub("on-analysis-run-failed", "slack", "alerts"),
        ...sub("on-analysis-run-error", "slack", "alerts"),
        ...sub("on-rollout-aborted", "slack", "alerts"),
      },
    },
    upstream: [
      ["on-analysis-run-running", "Rollout rollout-background-analysis's analysis run is running."],
      ["on-analysis-run-failed", "Rollout rollout-background-analysis's analysis run failed."],
      ["on-rollout-aborted", "Rollout rollout-background-analysis has been aborted."],
      ["on-analysis-run-running", "Rollout rollout-background-analysis's analysis run is running."],
    ].map(([trigger, text]) => ({ trigger: trigger!, to: "slack:alerts", text: text! })),
  },
  // Blue-green with auto-promotion: RolloutUpdated/RolloutCompleted for revision 1, then for revision 2.
  "install-bluegreen": {
    configs: ["install", "docs-slack"],
    secret: SLACK,
    history: "bluegreen-auto-promote.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-updated", "slack", "deploys"),
        ...sub("on-rollout-completed", "slack", "deploys"),
      },
    },
    upstream: [1, 2].flatMap(() => [
      {
        trigger: "on-rollout-updated",
        to: "slack:deploys",
        text: "Rollout bluegreen-demo has been updated.",
      },
      {
        trigger: "on-rollout-completed",
        to: "slack:deploys",
        text: "Rollout bluegreen-demo has been completed.",
      },
    ]),
  },
  // The docs' custom trigger: the condition path sends when the image becomes purple ([6], the user's update),
  // once (it stays true). The message keeps the block scalar's final newline; attachments are the JSON as rendered.
  "docs-purple": {
    configs: ["docs-slack", "docs-purple"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: sub("on-purple", "slack", "my-channel"),
      image: { from: "argoproj/rollouts-demo:yellow", to: "argoproj/rollouts-demo:purple" },
    },
    upstream: [
      {
        trigger: "on-purple",
        to: "slack:my-channel",
        text: "Rollout canary-demo has purple image\n",
        attachments: [{ title: "canary-demo", color: "#800080" }],
      },
    ],
  },
  // PagerDuty v2 from its docs page (its template.rollout-aborted replaces install.yaml's), the page's annotation.
  "pagerduty-v2-docs": {
    configs: ["install", "pagerduty-v2-docs"],
    secret: { "pagerduty-key-my-service": "R0UTINGKEY0000000000000000000032" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-aborted", "pagerdutyv2", "my-service") },
    upstream: [
      {
        trigger: "on-rollout-aborted",
        to: "pagerdutyv2:my-service",
        pagerduty: {
          summary: "Rollout canary-demo is aborted.",
          severity: "critical",
          source: "canary-demo",
        },
      },
    ],
  },
  // Issue #1305's webhook: the header item names two headers in one mapping (the last wins: Authorization only);
  // the template's `path` is appended to the service URL; the body is the webhook part's (none: empty).
  "issue-1305-webhook": {
    configs: ["issue-1305-webhook"],
    secret: { "webhook-token": "token compat-corpus" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "test_webhook", "") },
    upstream: [1, 2].map(() => ({
      trigger: "on-rollout-completed",
      to: "test_webhook:",
      webhook: {
        method: "POST",
        url: "http://******/https://webhook-url",
        body: "",
        headers: ["authorization"],
      },
    })),
  },
  // Issue #4440: repository_dispatch on every RolloutPaused ([11], [18]); `secret.github` is not a key upstream
  // knows (ignored).
  "issue-4440-webhook-github": {
    configs: ["issue-4440-webhook-github"],
    secret: { token: "ghp_compatcorpus" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-paused", "github", "") },
    upstream: [1, 2].map(() => ({
      trigger: "on-rollout-paused",
      to: "github:",
      webhook: {
        method: "POST",
        url: "https://api.github.com/repos/.../.../dispatches",
        body: '{\n  "event_type": "rollout-paused",\n  "client_payload": {\n    "rollout_name": "canary-demo",\n    "namespace": "demo"\n  }\n}\n',
      },
    })),
  },
  // matijaoreskovic/argo-rollouts-canary, the repository's own annotations. Sprig: camelcase("canary-demo") is
  // "CanaryDemo" (xstrings 1.5: hyphens separate words); regexReplaceAll ".*:" strips the image's repository.
  // on-rollout-completed (no when): events [4] (image blue) and [21] (yellow).
  // on-rollout-step-completed, when `(currentStepIndex % 2) == 0 && abort != true`:
  //   condition path: true at [2] (index 0, no abort: nil != true) → sent for [2] (blue, step 0 = setWeight 50);
  //   false from [10] (index 1); true again at [15] (retry: index 0, abort false) → sent (yellow, 50); false at
  //   [17]; true at [19] (index 2) but `index steps 2` is out of range: the template fails, nothing is sent.
  //   event path: [10] sees index 0 → sent (yellow, 50); [17] index 0, abort false → sent; [19] index 1 → no.
  // on-rollout-aborted: event [12] (index 1: a pause step, so $weight is nil, unused in the text).
  "matijaoreskovic-canary": {
    configs: ["matijaoreskovic-canary"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-completed", "slack", "notifications-test"),
        ...sub("on-rollout-step-completed", "slack", "notifications-test"),
        ...sub("on-rollout-aborted", "slack", "notifications-test"),
      },
    },
    upstream: [
      ["step", "blue"], // [2] condition path
      ["completed", "blue"], // [4]
      ["step", "yellow"], // [10] event path
      ["aborted", "yellow"], // [12]
      ["step", "yellow"], // [15] condition path
      ["step", "yellow"], // [17] event path
      ["completed", "yellow"], // [21]
    ].map(([kind, version]) => matijaoreskovicNotification(kind!, version!)),
    // The deliberate difference (docs/migrating.md, Triggers and conditions): a `when` on a built-in trigger sends
    // once per event of the trigger, or once per revision before any event. Derived from that rule, not from
    // output: [2] (revision 1, before any event: blue), [10] (event), [17] (event); the condition path's re-arm at
    // [15] (false at [10]-[14], true again after the retry) is not sent again — upstream sends it (a 4th).
    differs: {
      sent: [
        ["step", "blue"],
        ["completed", "blue"],
        ["step", "yellow"],
        ["aborted", "yellow"],
        ["step", "yellow"],
        ["completed", "yellow"],
      ].map(([kind, version]) => matijaoreskovicNotification(kind!, version!)),
      // one load warning for the key (not per condition or Rollout); migrate details each condition
      load: [
        'key "trigger.on-rollout-step-completed": `when`/`oncePer` on a built-in trigger differ from Argo Rollouts',
      ],
      migrate: ["`when` on a built-in trigger sends at most once per event of the trigger"],
    },
  },

  // tah-rak/Data-Pipeline-and-Warehouse-System (Terraform): plain `message` templates, `when` on built-in triggers,
  // and an AnalysisRun template/condition written against `analysisRun`, a variable Argo Rollouts does not have.
  // Over canary-analysis-failure.yaml ([1] the baseline: Healthy, already notified):
  // - on-rollout-updated (no when), events [4], [15]: the Rollout as detected (phase Progressing).
  // - on-rollout-step-completed (no when), events [8], [19], [23]: the Rollout the reconcile read: [6] index 0
  //   Progressing, [17] index 0 Progressing, [22] index 1 Paused.
  // - on-rollout-aborted, when phase == 'Degraded': the event [11] (an abort by the controller) sees the status
  //   before it (Paused): false; the condition path sends once when [11] turns Degraded (false again at [14]).
  // - on-rollout-completed, when phase == 'Healthy': the event [24] sees Progressing: false; the condition path
  //   turns false at [3] and true at [27]: sent once.
  // - on-analysis-run-failed, when `analysisRun.status.phase == 'Failed'`: upstream's vars are rollout,
  //   analysisRuns, time, secrets (record.go NewAPIFactorySettings), so `analysisRun` is nil and expr-lang v1.16's
  //   runtime.Fetch panics ("cannot fetch status from <nil>"): the condition is false (triggers/service.go logs
  //   it), nothing is sent (the template itself would print "<no value>" for each `.analysisRun.…`).
  "tah-rak-terraform": {
    configs: ["tah-rak-terraform"],
    secret: SLACK,
    history: "canary-analysis-failure.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-updated", "slack", "deploys"),
        ...sub("on-rollout-step-completed", "slack", "deploys"),
        ...sub("on-rollout-completed", "slack", "deploys"),
        ...sub("on-rollout-aborted", "slack", "deploys"),
        ...sub("on-analysis-run-failed", "slack", "deploys"),
      },
    },
    upstream: [
      ["on-rollout-updated", TAH_RAK.updated],
      ["on-rollout-step-completed", TAH_RAK.step("0", "Progressing")],
      ["on-rollout-aborted", TAH_RAK.aborted],
      ["on-rollout-updated", TAH_RAK.updated],
      ["on-rollout-step-completed", TAH_RAK.step("0", "Progressing")],
      ["on-rollout-step-completed", TAH_RAK.step("1", "Paused")],
      ["on-rollout-completed", TAH_RAK.completed],
    ].map(([trigger, text]) => ({ trigger: trigger!, to: "slack:deploys", text: text! })),
    // The deliberate difference (docs/migrating.md, Templates and Triggers: `analysisRun` is this service's
    // variable): the condition holds for the failed run and the template renders it, so one more notification
    // ([10], the run's failure) — said at load and by migrate, for the condition and each `.analysisRun.…`.
    differs: {
      sent: [
        ["on-rollout-updated", TAH_RAK.updated],
        ["on-rollout-step-completed", TAH_RAK.step("0", "Progressing")],
        ["on-analysis-run-failed", TAH_RAK.analysisRunFailed],
        ["on-rollout-aborted", TAH_RAK.aborted],
        ["on-rollout-updated", TAH_RAK.updated],
        ["on-rollout-step-completed", TAH_RAK.step("0", "Progressing")],
        ["on-rollout-step-completed", TAH_RAK.step("1", "Paused")],
        ["on-rollout-completed", TAH_RAK.completed],
      ].map(([trigger, text]) => ({ trigger: trigger!, to: "slack:deploys", text: text! })),
      load: [
        'key "trigger.on-analysis-run-failed ([0].when)": Argo Rollouts has no `analysisRun` variable',
        'key "template.analysis-run-failed (message)": .analysisRun.metadata.name (line 1): Argo Rollouts has no `analysisRun` variable',
      ],
      migrate: [
        "trigger.on-analysis-run-failed ([0].when): Argo Rollouts has no `analysisRun` variable",
        'template "analysis-run-failed" field "message": .analysisRun.status.message: Argo Rollouts has no `analysisRun` variable',
      ],
    },
  },
  // mrthehavok/k8s-observable-rollouts: `service.webhook` (a webhook named "webhook") with templates whose webhook
  // part is named "rollouts". notifications-engine webhook.go Send: without `webhook.webhook` the request is
  // {GET, the service URL, body: the notification's message} — "" (no `message`). Triggers on
  // canary-abort-retry.yaml:
  // - on-rollout-completed, when phase == 'Healthy': events [4], [21] see Progressing (false); the condition path
  //   sends at [5] and, after turning false at [7], at [22].
  // - on-rollout-aborted, when `rollout.status.abort == true`: the user's abort [12] is true on both paths: the
  //   event (the reconcile reads [12]) and the condition path (becomes true at [12]; false again at [15]): two.
  "mrthehavok-webhook": {
    configs: ["mrthehavok-webhook"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-completed", "webhook", ""),
        ...sub("on-rollout-aborted", "webhook", ""),
      },
    },
    upstream: [
      "on-rollout-completed",
      "on-rollout-aborted",
      "on-rollout-aborted",
      "on-rollout-completed",
    ].map((trigger) => ({
      trigger,
      to: "webhook:",
      webhook: { method: "GET", url: "http://webhook-handler.default.svc.cluster.local/rollouts", body: "" },
    })),
    // The deliberate differences (docs/migrating.md): a template without the service's part sends the trigger's
    // built-in part (the v1 JSON, POST), said at load on the service key (a section for other webhooks only);
    // both of upstream's paths sending for one abort is one notification here.
    differs: {
      sent: ["on-rollout-completed", "on-rollout-aborted", "on-rollout-completed"].map((trigger) => ({
        trigger,
        to: "webhook:",
        webhook: { method: "POST", url: "http://webhook-handler.default.svc.cluster.local/rollouts" },
      })),
      load: [
        'key "service.webhook": the templates of on-rollout-aborted, on-rollout-completed have no webhook part for "webhook": Argo Rollouts\' webhook service sends a GET request to the service URL with the template\'s `message` as its body',
        'key "trigger.on-rollout-aborted": `when`/`oncePer` on a built-in trigger differ from Argo Rollouts',
      ],
      migrate: [
        'service.webhook: the templates of on-rollout-aborted, on-rollout-completed have no webhook part for "webhook"',
        "where both of upstream's paths would send for the same event, one notification is sent",
      ],
    },
  },

  // ilyastoli/argocd: upstream's catalog texts with folded (`>`) keys and a custom trigger `on-dryrun` whose `when`
  // reads `rollout.analysisrun.status…` — the Rollout has no `analysisrun`, so expr-lang v1.16 fetches nil and
  // then fails on `.status` ("cannot fetch status from <nil>"): false, never sent. The repository's own
  // annotations (notifications/rollout.yaml) over canary-analysis-failure.yaml: on-analysis-run-running at the
  // runs' Running ([7] revision 2, image yellow; [18] revision 3, green), on-analysis-run-failed [10] (yellow),
  // no analysis error, on-rollout-completed [24] (green). Each attachment: the Strategy field, then `range` over
  // the containers with `{{if not $index}},{{end}}` (a comma before the first one).
  "ilyastoli-argocd-analysis": {
    configs: ["ilyastoli-argocd"],
    secret: SLACK,
    history: "canary-analysis-failure.yaml",
    edit: {
      annotations: {
        ...sub("on-analysis-run-error", "slack", "general"),
        ...sub("on-rollout-completed", "slack", "general"),
        ...sub("on-analysis-run-failed", "slack", "general"),
        ...sub("on-analysis-run-running", "slack", "general"),
        ...sub("on-dryrun", "slack", "general"),
      },
    },
    upstream: [
      ["on-analysis-run-running", "'s analysis run is running.", "#18be52", "yellow"],
      ["on-analysis-run-failed", "'s analysis run failed.", "#E01E5A", "yellow"],
      ["on-analysis-run-running", "'s analysis run is running.", "#18be52", "green"],
      ["on-rollout-completed", " has been completed.", "#18be52", "green"],
    ].map(([trigger, what, color, image]) =>
      ilyastoliNotification(
        trigger!,
        ["rollout-background-analysis", "rollouts-demo"],
        what!,
        color!,
        image!,
      ),
    ),
    problems: ['trigger "on-dryrun" ([0]): when: cannot fetch status from <nil>'],
  },
  // ilyastoli/argocd's other Rollout (guestbook/notification.yaml) over canary-abort-retry.yaml:
  // on-rollout-completed at [4] (blue) and [21] (yellow); `subscribe.rollout-step-completed.slack` names a
  // trigger without `on-`, which neither the event path (on-rollout-step-completed) nor the condition path
  // ("trigger 'rollout-step-completed' is not configured") sends: nothing, reported here.
  "ilyastoli-argocd-guestbook": {
    configs: ["ilyastoli-argocd"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-completed", "slack", "general"),
        ...sub("rollout-step-completed", "slack", "general"),
      },
    },
    upstream: ["blue", "yellow"].map((image) =>
      ilyastoliNotification(
        "on-rollout-completed",
        ["canary-demo", "canary-demo"],
        " has been completed.",
        "#18be52",
        image,
      ),
    ),
    problems: ['trigger "rollout-step-completed" is not a built-in trigger nor configured'],
  },

  // rommelporras/homelab: a Discord webhook with `defaultTriggers`, subscribed with the service-only annotation
  // (`subscribe.discord-gitops: ""`: the default triggers). Over canary-analysis-failure.yaml:
  // - on-rollout-completed, when `phase == 'Healthy' && currentPodHash == stableRS`: the event [24] sees
  //   Progressing (false); the condition path, true at the baseline [1], false from [3], true again at [27]: one.
  // - on-rollout-aborted, when `phase == 'Aborted'`: no Rollout phase is "Aborted" (an abort is Degraded): never.
  // - on-analysis-run-failed, when `analysisRun.status.phase == 'Failed'`: nil upstream (see tah-rak-terraform):
  //   never; the body's `.analysisRun.…` would print "<no value>".
  "rommelporras-homelab": {
    configs: ["rommelporras-homelab"],
    secret: { "discord-gitops-webhook": DISCORD },
    history: "canary-analysis-failure.yaml",
    edit: { annotations: { "notifications.argoproj.io/subscribe.discord-gitops": "" } },
    upstream: [
      homelabNotification(
        "on-rollout-completed",
        "Rollout **rollout-background-analysis** completed successfully in `default`.",
      ),
    ],
    // the deliberate difference (`analysisRun` is this service's variable): the failed run is sent too, said
    differs: {
      sent: [
        homelabNotification(
          "on-analysis-run-failed",
          ":x: AnalysisRun **rollout-background-analysis-db976bc44-2** failed in `default`. Rollout may be rolling back.",
        ),
        homelabNotification(
          "on-rollout-completed",
          "Rollout **rollout-background-analysis** completed successfully in `default`.",
        ),
      ],
      load: ['key "trigger.on-analysis-run-failed ([0].when)": Argo Rollouts has no `analysisRun` variable'],
      migrate: [
        'template "analysis-run-failed" field "webhook.discord-gitops.body": .analysisRun.metadata.name: Argo Rollouts has no `analysisRun` variable',
      ],
    },
  },

  // Han-Joon-Hyeok.github.io (2024-12-21 post): `defaultTriggers` through `subscribe.slack-webhook: ""`, plus
  // `subscribe.on-hpa.slack-webhook` (a trigger defined nowhere). The page's placeholder `url: [webhook-url]` is a
  // YAML list: sigs.k8s.io/yaml cannot unmarshal it into WebhookOptions.url (a string), so services.NewService
  // fails and NewAPI with it — Argo Rollouts sends nothing for this ConfigMap. Here that key does not load (said),
  // so the only service is missing and nothing is sent either; each subscription is reported.
  "han-joon-hyeok-default-trigger": {
    configs: ["han-joon-hyeok-default-trigger"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        "notifications.argoproj.io/subscribe.slack-webhook": "",
        ...sub("on-hpa", "slack-webhook", ""),
      },
    },
    upstream: [],
    problems: [
      'key "service.webhook.slack-webhook (url)": Invalid input: expected string, received array',
      'trigger "on-hpa" is not a built-in trigger nor configured',
      'annotation "notifications.argoproj.io/subscribe.slack-webhook": service "slack-webhook" is not configured',
    ],
  },

  // ---- differences: unsupported service types (issue 11 adds them). Upstream sends through them; here nothing
  // is sent to them and each is reported: at load, by migrate and for every notification (replay's problems).
  "pagerduty-v1-docs": {
    configs: ["install", "pagerduty-v1-docs"],
    secret: { pagerdutyToken: "pd-api-token" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-aborted", "pagerduty", "<serviceID for PagerDuty>") },
    upstream: [{ trigger: "on-rollout-aborted", to: "pagerduty:<serviceID for PagerDuty>" }],
    // pagerduty is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "email-docs": {
    configs: ["install", "email-docs"],
    secret: { username: "user", password: "pass", "email-address": "rollouts@example.com" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "gmail", "team@example.com") },
    upstream: completedTwice("gmail:team@example.com").map(({ text, ...n }) => n),
    // email is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "teams-docs": {
    configs: ["install", "teams-docs"],
    secret: { "channel-teams-url": "https://webhook.office.com/webhook/your-webhook-id" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "teams", "channelName") },
    upstream: completedTwice("teams:channelName").map(({ text, ...n }) => n),
    // teams is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "telegram-docs": {
    configs: ["install", "telegram-docs"],
    secret: { "telegram-token": "123456:telegram" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "telegram", "-1000000000000|2") },
    upstream: completedTwice("telegram:-1000000000000|2").map(({ text, ...n }) => n),
    // telegram is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "mattermost-docs": {
    configs: ["install", "mattermost-docs"],
    secret: { "mattermost-token": "token" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "mattermost", "channel-id") },
    upstream: completedTwice("mattermost:channel-id").map(({ text, ...n }) => n),
    // mattermost is a service type since issue 11, but the page's `apiURL: <api-url>` is a placeholder: upstream
    // loads it and every send fails ("unsupported protocol scheme"); here the key is refused at load, said
    differs: {
      sent: [],
      load: ['"service.mattermost (apiURL)": must be an absolute http(s) URL'],
      migrate: ["must be an absolute http(s) URL"],
    },
  },
  "googlechat-docs": {
    configs: ["install", "googlechat-docs"],
    secret: { "space-webhook-url": "https://chat.googleapis.com/v1/spaces/space/messages?key=k&token=t" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "googlechat", "spaceName") },
    upstream: completedTwice("googlechat:spaceName").map(({ text, ...n }) => n),
    // googlechat is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "rocketchat-docs": {
    configs: ["install", "rocketchat-docs"],
    secret: { "rocketchat-email": "bot@example.com", "rocketchat-password": "pass" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "rocketchat", "my_channel") },
    upstream: completedTwice("rocketchat:my_channel").map(({ text, ...n }) => n),
    // rocketchat is a service type since issue 11: sent as Argo Rollouts sends it
  },
  "grafana-docs": {
    configs: ["install", "grafana-docs"],
    secret: { "grafana-api-key": "api-key" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "grafana", "tag1|tag2") },
    upstream: completedTwice("grafana:tag1|tag2").map(({ text, ...n }) => n),
    // grafana is a service type since issue 11: a template with only `message` (and a slack part) is one point
    // annotation per notification, as Argo Rollouts sends it
  },
  // The opsgenie page's template has `alias: {{.app.metadata.name}}` unquoted: YAML reads a mapping used as a
  // key, which go-yaml v2 rejects ("invalid map key"), so ParseConfig fails and Argo Rollouts loads none of this
  // ConfigMap: nothing is sent at all. Here the same (nothing to opsgenie), said at load and by migrate.
  "opsgenie-docs": {
    configs: ["install", "opsgenie-docs"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-a-problem", "opsgenie", "<your-team>") },
    upstream: [],
    differs: {
      sent: [],
      // (opsgenie is a service type since issue 11; its template still does not load)
      load: ['key "template.opsgenie": invalid YAML: a mapping or list used as a key (line 10'],
      migrate: ["template.opsgenie: invalid YAML: a mapping or list used as a key"],
    },
  },
  // argo-helm#2792: a global subscription to telegram for on-rollout-completed, a trigger this ConfigMap does not
  // define: Argo Rollouts skips it (notifications-engine pkg/triggers service.go Run / the global destinations:
  // "trigger 'on-rollout-completed' is not configured"): nothing is sent. Here on-rollout-completed is built in:
  // by the documented rule (docs/migrating.md, Triggers and subscriptions) its built-in template goes to the
  // subscription's telegram chat (thread 124790) at each completion, [4] and [21]; said at load and by migrate.
  "helm-2792-telegram-subscriptions": {
    configs: ["helm-2792-telegram-subscriptions"],
    secret: { "telegram-token": "123456:telegram" },
    history: "canary-abort-retry.yaml",
    edit: {},
    upstream: [],
    differs: {
      sent: [1, 2].map(() => ({ trigger: "on-rollout-completed", to: "telegram:-123456789|124790" })),
      load: [
        'key "subscriptions ([0].triggers)": built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them',
      ],
      migrate: [
        'subscriptions ([0].triggers): built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them',
      ],
    },
  },
  // argoproj/argo-rollouts#2686: `- slack: my-channel` is not a string, so ParseConfig fails and Argo Rollouts
  // sends nothing. Here the entry reads as slack:my-channel (said), and on-rollout-completed, not defined in
  // this ConfigMap, is the built-in trigger: its built-in template is sent at [4] and [21] (said at load and by migrate).
  "issue-2686-subscription-map": {
    configs: ["issue-2686-subscription-map"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: {},
    upstream: [],
    differs: {
      sent: [1, 2].map(() => ({ trigger: "on-rollout-completed", to: "slack:my-channel" })),
      load: [
        'recipient written as a mapping; read as "slack:my-channel" (Argo Rollouts rejects this form',
        'built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them',
      ],
      migrate: [
        'recipient written as a mapping; read as "slack:my-channel"',
        'built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them',
      ],
    },
  },
  // github from its docs page, with its placeholders: upstream cannot create the service ("<app-id>" is no int64
  // for cast.ToInt64E, "(snip)" no PEM key for ghinstallation), so nothing is delivered. Here nothing is sent
  // either; the service's keys are rejected at load, each with its reason.
  "github-docs": {
    configs: ["install", "github-docs"],
    secret: { "github-privateKey": "-----BEGIN RSA PRIVATE KEY-----\n(snip)\n-----END RSA PRIVATE KEY-----" },
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "github", "") },
    upstream: [],
    problems: [
      '"service.github (appID)": must be a positive integer',
      '"service.github (installationID)": must be a positive integer',
      '"service.github (privateKey)": must be the GitHub App\'s RSA private key in PEM',
    ],
  },
  // alertmanager from its docs page on install.yaml's templates: rollout-completed has no `alertmanager` part, so
  // upstream's templater leaves notification.Alertmanager nil and alertmanagerService.Send fails ("notification
  // alertmanager no config", notifications-engine pkg/services/alertmanager.go): nothing is sent. Here, by the
  // documented rule (a template without the service's part: the trigger's built-in part), the built-in alert is
  // sent at each completion ([4], [21]) to the docs' empty recipient; said at load and by migrate.
  "alertmanager-docs": {
    configs: ["install", "alertmanager-docs"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed", "alertmanager", "") },
    upstream: [],
    differs: {
      sent: [1, 2].map(() => ({ trigger: "on-rollout-completed", to: "alertmanager:" })),
      load: [
        'key "service.alertmanager": the templates of ',
        'Argo Rollouts\' alertmanager service fails to send them ("notification alertmanager no config")',
      ],
      migrate: [
        'Argo Rollouts\' alertmanager service fails to send them ("notification alertmanager no config")',
      ],
    },
  },
  // Issue #1723's templates for a webhook `webhook-handler` that the ConfigMap does not configure: upstream's
  // api.Send fails ("notification service 'webhook-handler' is not supported"), nothing is sent; here the same,
  // and each notification is reported ('service "webhook-handler" is not configured').
  "issue-1723-webhook-templates": {
    configs: ["issue-1723-webhook-templates"],
    secret: {},
    history: "canary-abort-retry.yaml",
    edit: {
      annotations: {
        ...sub("on-rollout-completed", "webhook-handler", ""),
        ...sub("on-rollout-step-completed", "webhook-handler", ""),
      },
    },
    upstream: [],
    problems: ['service "webhook-handler" is not configured'],
  },
  // Issue #3262's trigger: the condition path would send once per revision when the Rollout is fully promoted,
  // but its template `rollout-json` is defined nowhere, so upstream's Send fails and nothing is sent. Here nothing
  // is sent either, and the missing template is said at load.
  "issue-3262-completed-webhook": {
    configs: ["issue-3262-completed-webhook"],
    secret: SLACK,
    history: "canary-abort-retry.yaml",
    edit: { annotations: sub("on-rollout-completed-webhook", "slack", "deploys") },
    upstream: [],
    problems: ['template "rollout-json" is not defined'],
  },
};
