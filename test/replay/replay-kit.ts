// Test helpers for the notification replay: the example histories with subscriptions added (an annotated
// Namespace and Rollout), the upstream-format example config, and runNotificationReplay with captured output.
import { readFileSync } from "node:fs";
import type { KubeObject } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../src/replay/parse-documents.ts";
import {
  type NotificationReplayOptions,
  runNotificationReplay,
} from "../../src/replay/run-notification-replay.ts";
import { isWatchEvent } from "../../src/triggers/transition-detector.ts";
import { exampleConfigMap, exampleSecret } from "../config/load-examples.ts";
import { historyPath } from "./expected-histories.ts";

/** A 32-character routing key (PagerDuty's length); the example Secret's is a placeholder of another length. */
export const PD_KEY = "R0UTINGKEY0000000000000000000032";
export const SLACK_TOKEN = "xoxb-example-not-a-real-token";
export const DEPLOY_LOG_TOKEN = "example-deploy-log-token";

/** The example Secret (upstream format, base64 `data` and `stringData`) with a usable routing key. */
export function testSecret(): KubeObject {
  const s = exampleSecret();
  return { ...s, stringData: { ...s.stringData, "pagerduty-payments-key": PD_KEY } };
}

export function exampleConfig(): KubeObject[] {
  return [exampleConfigMap(), testSecret()];
}

export const annotatedNamespace = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name,
    annotations: { "notifications.argoproj.io/subscribe.slack": "deploys" },
  },
});

/** Rollouts of the history get labels matching the example's PagerDuty subscription and an annotation. */
export function annotateRollout(obj: KubeObject): KubeObject {
  if (obj.kind !== "Rollout") return obj;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...obj.metadata.labels, tier: "critical", team: "payments" },
      annotations: {
        ...obj.metadata.annotations,
        "notifications.argoproj.io/subscribe.on-rollout-aborted.slack": "alerts",
      },
    },
  };
}

/** The history as replay items: the Namespace first, every Rollout annotated. */
export function annotatedHistory(file: string, namespace: string): ReplayItem[] {
  const items = parseReplayInput(readFileSync(historyPath(file), "utf8"));
  const ns: ReplayItem = { ok: true, index: "0", line: 0, input: annotatedNamespace(namespace) };
  return [
    ns,
    ...items.map((item): ReplayItem => {
      if (!item.ok) return item;
      const input = isWatchEvent(item.input)
        ? { ...item.input, object: annotateRollout(item.input.object) }
        : annotateRollout(item.input);
      return { ...item, input };
    }),
  ];
}

/** JSON lines for the CLI (`replay -`). */
export function asJsonLines(items: ReplayItem[]): string {
  return items.map((i) => (i.ok ? JSON.stringify(i.input) : "")).join("\n");
}

export interface ReplayRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: Record<string, unknown>[];
}

export async function replay(
  opts: Omit<NotificationReplayOptions, "stdout" | "stderr" | "formatInputError" | "source"> & {
    source?: string;
  },
): Promise<ReplayRun> {
  let stdout = "";
  let stderr = "";
  const code = await runNotificationReplay({
    source: "history",
    now: new Date("2026-03-04T09:05:00Z"),
    ...opts,
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    formatInputError: (e) => `history: document ${e.index} (line ${e.line}): ${e.message}\n`,
  });
  const lines =
    opts.mode === "dry-run"
      ? stdout
          .split("\n")
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { code, stdout, stderr, lines };
}
