// The compatibility corpus: real public argo-rollouts-notification-configmaps (test/compat/configs, README.md
// cites each) replayed over example histories subscribed the way each config expects. What Argo Rollouts sends
// is written in cases.ts by reading upstream's code, never from this service's output.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayItem } from "../../src/replay/parse-documents.ts";
import { isWatchEvent } from "../../src/triggers/transition-detector.ts";
import { historyPath } from "../replay/expected-histories.ts";

/** configs/<name>.yaml; "install" is upstream's notifications-install.yaml among the repository's fixtures. */
export const configPath = (name: string) =>
  name === "install"
    ? new URL("../fixtures/argo-rollouts/notifications-install.yaml", import.meta.url)
    : new URL(`./configs/${name}.yaml`, import.meta.url);

/**
 * One ConfigMap from several config files (the install manifest, then a documentation page's snippets of the same
 * ConfigMap, …): data keys of later documents win, as one ConfigMap holding all of them.
 */
export function mergedConfigMap(files: string[]): KubeObject {
  const data: Record<string, string> = {};
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(configPath(file), "utf8")) as unknown as {
      toJS(): unknown;
    }[]) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind === "ConfigMap") Object.assign(data, obj.data ?? {});
    }
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argo-rollouts-notification-configmap", namespace: "argo-rollouts" },
    data,
  };
}

/** The YAML text of that merged ConfigMap (what `migrate` reviews). */
export function mergedConfigMapYaml(cm: KubeObject): string {
  const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: ${cm.metadata.name}`, "data:"];
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    lines.push(`  ${JSON.stringify(k)}: |-`);
    for (const l of String(v).split("\n")) lines.push(l === "" ? "" : `    ${l}`);
  }
  return `${lines.join("\n")}\n`;
}

export function secret(stringData: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argo-rollouts-notification-secret", namespace: "argo-rollouts" },
    stringData,
  };
}

export interface HistoryEdit {
  /** Annotations added to the Rollout (every document). */
  annotations?: Record<string, string>;
  /** A user's different image in the update (every occurrence). */
  image?: { from: string; to: string };
}

function editRollout(obj: KubeObject, edit: HistoryEdit): KubeObject {
  if (obj.kind !== "Rollout") return obj;
  let out: KubeObject = {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, ...edit.annotations } },
  };
  if (edit.image) {
    const { from, to } = edit.image;
    out = JSON.parse(JSON.stringify(out).split(JSON.stringify(from)).join(JSON.stringify(to))) as KubeObject;
  }
  return out;
}

/** An example history with the Rollout subscribed as the case says. */
export function history(file: string, edit: HistoryEdit): ReplayItem[] {
  return parseReplayInput(readFileSync(historyPath(file), "utf8")).map((item): ReplayItem => {
    if (!item.ok) return item;
    const input = isWatchEvent(item.input)
      ? { ...item.input, object: editRollout(item.input.object, edit) }
      : editRollout(item.input, edit);
    return { ...item, input };
  });
}

/** A notification, as far as the corpus compares it. */
export interface Sent {
  trigger: string;
  /** "service:recipient" */
  to: string;
  /** Slack: the message text. */
  text?: string;
  /** Slack: the attachments, parsed. */
  attachments?: unknown;
  /** PagerDuty v2: payload summary, severity, source. */
  pagerduty?: { summary: string; severity: string; source: string };
  /**
   * Webhook: method, url, body (compared when given); `headers`: the names of the headers sent (lower case,
   * sorted), when given.
   */
  webhook?: { method: string; url: string; body?: string; headers?: string[] };
}

/**
 * Headers this service adds to every webhook request (docs/migrating.md, Delivery): not compared.
 * Content-Type is added only to a JSON body without one.
 */
const ADDED_HEADERS = new Set(["user-agent", "idempotency-key", "content-type"]);

/** A dry-run line reduced to what the case states (only the fields the expectation has). */
export function reduce(line: Record<string, unknown>, like: Sent | undefined): Sent {
  const n = line.notification as Record<string, unknown> & { type: string };
  const out: Sent = { trigger: String(line.trigger), to: `${line.service}:${line.recipient}` };
  if (n.type === "slack") {
    const post = n.postMessage as { text: string; attachments?: unknown };
    if (!like || like.text !== undefined) out.text = post.text;
    if (like?.attachments !== undefined) out.attachments = post.attachments;
  } else if (n.type === "pagerdutyv2") {
    const p = (n.event as { payload: { summary: string; severity: string; source: string } }).payload;
    out.pagerduty = { summary: p.summary, severity: p.severity, source: p.source };
  } else if (n.type === "webhook") {
    out.webhook = { method: String(n.method), url: String(n.url) };
    if (!like?.webhook || like.webhook.body !== undefined) out.webhook.body = String(n.body);
    if (like?.webhook?.headers)
      out.webhook.headers = Object.keys(n.headers as Record<string, string>)
        .filter((h) => !ADDED_HEADERS.has(h))
        .sort();
  }
  return out;
}
