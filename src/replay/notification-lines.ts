// How `replay` prints notifications: one JSON line per notification (--dry-run), and one short readable line per
// captured delivery (--capture). Pure.
import type { Transition } from "../triggers/transition.ts";
import type { CapturedDelivery } from "./capture-sinks.ts";
import type { WirePayload } from "./wire-payload.ts";

export interface DryRunLine {
  trigger: string;
  kind: string;
  namespace: string;
  name: string;
  service: string;
  recipient: string;
  templates: string[];
  notification: WirePayload;
}

export function dryRunLineOf(
  t: Transition,
  destination: { service: string; recipient: string },
  templates: string[],
  notification: WirePayload,
): DryRunLine {
  return {
    trigger: t.trigger,
    kind: t.object.kind,
    namespace: t.object.namespace,
    name: t.object.name,
    service: destination.service,
    recipient: destination.recipient,
    templates,
    notification,
  };
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Slack mrkdwn → plain: *bold*, `code`, <url|label>, &amp; escapes. */
function plainSlack(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/[*`]/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** e.g. `#deploys  [thread demo/canary-demo/2] ❌ Rollout canary-demo aborted — …` */
export function formatCapturedLine(c: CapturedDelivery): string {
  const p = c.payload;
  switch (p.type) {
    case "slack": {
      const thread = p.thread ? `[thread ${p.thread.groupingKey}] ` : "";
      return `slack #${c.recipient.replace(/^#/, "")}  ${thread}${oneLine(plainSlack(p.postMessage.text))}`;
    }
    case "pagerdutyv2": {
      const e = p.event;
      const what = e.payload
        ? `${e.payload.severity}: ${oneLine(e.payload.summary)}`
        : `dedup_key ${e.dedup_key}`;
      const group =
        e.event_action === "resolve" && p.incidentGroup ? ` (and the alerts of ${p.incidentGroup})` : "";
      return `pagerduty ${c.recipient}  ${e.event_action.toUpperCase()} ${what}${group}`;
    }
    case "webhook":
      return `webhook ${c.service}  ${p.method} ${p.url}  ${oneLine(p.body, 100)}`;
  }
}
