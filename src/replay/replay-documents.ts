// Runs parsed replay input through detection, in order, handing each document's transitions to a handler
// (print them, or — later — route, render and deliver them). Input errors go to the handler too; the rest of
// the input is still processed.
import type { KubeObject } from "../kube/objects.ts";
import type { Transition } from "../triggers/transition.ts";
import { isWatchEvent, TransitionDetector } from "../triggers/transition-detector.ts";
import type { ReplayDocument, ReplayInputError, ReplayItem } from "./parse-documents.ts";
import { ReplayWorld } from "./replay-world.ts";

export interface ReplayContext {
  document: ReplayDocument;
  /** Every object seen so far, this document's included (a DELETED object is already gone). */
  world: ReplayWorld;
}

export interface ReplayHandler {
  onTransitions(transitions: Transition[], ctx: ReplayContext): void | Promise<void>;
  onError(error: ReplayInputError): void | Promise<void>;
}

export interface ReplaySummary {
  documents: number;
  transitions: number;
  errors: number;
}

export async function replayDocuments(
  items: ReplayItem[],
  handler: ReplayHandler,
  opts: { detector?: TransitionDetector; world?: ReplayWorld } = {},
): Promise<ReplaySummary> {
  const detector = opts.detector ?? new TransitionDetector();
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
    let transitions: Transition[];
    try {
      if (event?.type !== "BOOKMARK" && event?.type !== "DELETED") world.put(obj);
      transitions = detector.observe(item.input);
    } catch (err) {
      summary.errors++;
      await handler.onError({ index: item.index, line: item.line, message: (err as Error).message });
      continue;
    }
    if (event?.type === "DELETED") world.remove(obj);
    summary.transitions += transitions.length;
    if (transitions.length > 0) await handler.onTransitions(transitions, { document, world });
  }
  return summary;
}
