// Runs parsed replay input through detection, in order, handing each document's transitions to a handler
// (print them, or route, render and deliver them). Input errors go to the handler too; the rest of the input is
// still processed. Every object is shown to the handler first (onObject: ConfigMaps, Secrets and Namespaces in
// the history change the config from that point on), then detected.

import type { KubeObject } from "../kube/objects.ts";
import { validateObject } from "../kube/validate-object.ts";
import type { CustomTriggerProblem } from "../triggers/custom-triggers.ts";
import type { Transition } from "../triggers/transition.ts";
import { isWatchEvent } from "../triggers/transition-detector.ts";
import type { ReplayDocument, ReplayInputError, ReplayItem } from "./parse-documents.ts";
import { ReplayDetector } from "./replay-detector.ts";
import { ReplayWorld } from "./replay-world.ts";

export interface ReplayContext {
  document: ReplayDocument;
  /** Every object seen so far, this document's included (a DELETED object is already gone). */
  world: ReplayWorld;
}

export interface ReplayHandler {
  /** Called for every object before detection; `deleted` for a DELETED event. */
  onObject?(obj: KubeObject, deleted: boolean, ctx: ReplayContext): void | Promise<void>;
  onTransitions(transitions: Transition[], ctx: ReplayContext): void | Promise<void>;
  onError(error: ReplayInputError): void | Promise<void>;
  /** Custom trigger conditions that failed to compile or evaluate on this document's object. */
  onTriggerProblems?(problems: CustomTriggerProblem[], obj: KubeObject): void | Promise<void>;
}

export interface ReplaySummary {
  documents: number;
  transitions: number;
  errors: number;
}

export async function replayDocuments(
  items: ReplayItem[],
  handler: ReplayHandler,
  opts: { detector?: ReplayDetector; world?: ReplayWorld } = {},
): Promise<ReplaySummary> {
  const detector = opts.detector ?? new ReplayDetector();
  const world = opts.world ?? new ReplayWorld();
  const summary: ReplaySummary = { documents: 0, transitions: 0, errors: 0 };
  for (const item of items) {
    if (!item.ok) {
      summary.errors++;
      await handler.onError(item);
      continue;
    }
    summary.documents++;
    const { ok: _ok, ...document } = item;
    const event = isWatchEvent(item.input) ? item.input : undefined;
    const obj = event ? event.object : (item.input as KubeObject);
    const deleted = event?.type === "DELETED";
    const invalid = deleted || event?.type === "BOOKMARK" ? [] : validateObject(obj);
    if (invalid.length > 0) {
      // reported and skipped for detection: never turned into invented notifications
      summary.errors++;
      await handler.onError({
        index: item.index,
        line: item.line,
        message: `${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name} skipped: ${invalid.join("; ")}`,
      });
      continue;
    }
    let transitions: Transition[];
    try {
      if (event?.type !== "BOOKMARK") {
        if (!deleted) world.put(obj);
        await handler.onObject?.(obj, deleted, { document, world });
      }
      const detected = detector.observe(item.input, world);
      transitions = detected.transitions;
      if (detected.problems.length > 0) await handler.onTriggerProblems?.(detected.problems, obj);
    } catch (err) {
      summary.errors++;
      await handler.onError({ index: item.index, line: item.line, message: (err as Error).message });
      continue;
    }
    if (deleted) world.remove(obj);
    summary.transitions += transitions.length;
    if (transitions.length > 0) await handler.onTransitions(transitions, { document, world });
  }
  return summary;
}
