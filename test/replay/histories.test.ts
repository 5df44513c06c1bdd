// The example histories through the library: exact trigger sequences, and exactly-once across a crash.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { KubeObject, WatchEvent } from "../../src/kube/objects.ts";
import { parseReplayInput, type ReplayDocument } from "../../src/replay/parse-documents.ts";
import { replayDocuments } from "../../src/replay/replay-documents.ts";
import { KIND_DETECTORS } from "../../src/triggers/kind-detectors.ts";
import type { Transition } from "../../src/triggers/transition.ts";
import { OPT_IN_TRIGGERS } from "../../src/triggers/trigger-names.ts";
import { HISTORIES, historyPath } from "./expected-histories.ts";

// "<document the crash follows>: <trigger lost>". The crash model is the worst case: after the restart the
// object has already moved on to the next document (a quick restart would still see the paused object).
const KNOWN_CRASH_LOSSES: Record<string, string[]> = {
  "canary-abort-retry.yaml": ["18: on-rollout-resumed"],
  "canary-analysis-failure.yaml": ["20: on-rollout-resumed"],
};

const isDefault = (t: Transition) => !(OPT_IN_TRIGGERS as readonly string[]).includes(t.trigger);

function documentsOf(file: string): ReplayDocument[] {
  const items = parseReplayInput(readFileSync(historyPath(file), "utf8"));
  expect(items.filter((i) => !i.ok)).toEqual([]);
  return items.filter((i): i is ReplayDocument & { ok: true } => i.ok);
}

async function replayFile(text: string): Promise<Transition[]> {
  const out: Transition[] = [];
  const summary = await replayDocuments(parseReplayInput(text), {
    onTransitions: (ts) => {
      out.push(...ts);
    },
    onError: (e) => {
      throw new Error(`unexpected input error: ${JSON.stringify(e)}`);
    },
  });
  expect(summary.errors).toBe(0);
  return out;
}

describe.each(Object.entries(HISTORIES))("history %s", (file, expected) => {
  const text = readFileSync(historyPath(file), "utf8");

  it("reproduces the expected trigger sequence", async () => {
    const transitions = await replayFile(text);
    expect(transitions.filter(isDefault).map((t) => t.trigger)).toEqual(expected);
  });

  it("gives every event its own id, free of ':'", async () => {
    const ids = (await replayFile(text)).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).not.toContain(":");
  });

  it("reads the same from `kubectl get -w -o json` output (concatenated pretty JSON) and from JSON lines", async () => {
    const docs = documentsOf(file);
    const pretty = docs.map((d) => JSON.stringify(d.input, null, 4)).join("\n");
    const lines = docs.map((d) => JSON.stringify(d.input)).join("\n");
    const fromYaml = (await replayFile(text)).map((t) => t.id);
    expect((await replayFile(pretty)).map((t) => t.id)).toEqual(fromYaml);
    expect((await replayFile(lines)).map((t) => t.id)).toEqual(fromYaml);
  });

  it("exactly once across a crash after hand-off and before saving state, at any document", () => {
    // The watcher's order: detect → hand off (enqueue under the id) → save state. A crash between the last two
    // re-detects from the old state against the next object; the queue drops ids it already has.
    const docs = documentsOf(file);
    const createdWhileWatching = new Set(
      docs.flatMap((d) =>
        "type" in d.input && d.input.type === "ADDED" ? [d.input.object.metadata.uid!] : [],
      ),
    );
    const run = (crashAt: number) => {
      const states = new Map<string, unknown>();
      const experiments = new Map<string, KubeObject>();
      const enqueued = new Set<string>();
      const order: string[] = [];
      docs.forEach((doc, index) => {
        const event = "type" in doc.input && "object" in doc.input ? (doc.input as WatchEvent) : undefined;
        const obj = event ? event.object : (doc.input as KubeObject);
        if (obj.kind === "Experiment") experiments.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
        if (obj.kind !== "Rollout" && obj.kind !== "AnalysisRun") return;
        const uid = obj.metadata.uid!;
        const previous = states.get(uid);
        const { transitions, state } = KIND_DETECTORS[obj.kind].detect(previous, obj, {
          // No saved state: a baseline if the object existed before watching (first seen as a bare object), as
          // the watcher decides after a restart; one created while watching is compared against nothing.
          baseline: previous === undefined && !createdWhileWatching.has(uid),
          lookupExperiment: (ns, name) => experiments.get(`${ns}/${name}`),
        });
        // Scaling ids count changes and are not comparable across a crash (see src/triggers/identity.ts).
        for (const t of transitions.filter(isDefault)) {
          if (!enqueued.has(t.id)) order.push(t.id);
          enqueued.add(t.id);
        }
        if (index !== crashAt) states.set(uid, state);
      });
      return order;
    };
    const clean = run(-1);
    const losses: string[] = [];
    for (let crashAt = 0; crashAt < docs.length; crashAt++) {
      const crashed = run(crashAt);
      // nothing twice, nothing new: every id handed on is one of the clean run's, in the same order
      expect(crashed, `crash at document ${crashAt + 1}`).toEqual(clean.filter((id) => crashed.includes(id)));
      for (const id of clean) if (!crashed.includes(id)) losses.push(`${crashAt + 1}: ${id.split("/")[1]}`);
    }
    // Known limit: what neither the saved state nor the next object shows cannot be detected — a pause that
    // starts (handed on) and ends before the state could be saved loses its resume.
    expect(losses).toEqual(KNOWN_CRASH_LOSSES[file] ?? []);
  });
});
