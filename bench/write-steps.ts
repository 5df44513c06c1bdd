// Drives step writes into the API test server: at a fixed rate (absolute schedule, no drift), or as fast as
// the server takes them (in batches, yielding so watch streams keep flowing).
import type { DeliveryTracker } from "./delivery-tracker.ts";
import { sleep } from "./stats.ts";
import type { StepWriter } from "./world.ts";

/** Writes `rate` steps per second for `seconds`; returns how many were written. */
export async function writeStepsAtRate(
  writer: StepWriter,
  tracker: DeliveryTracker,
  rate: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let written = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const key = writer.next();
    if (key === undefined) break;
    tracker.wrote(key);
    written++;
  }
  return written;
}

/** Writes `count` steps back to back (batches of 200 between event-loop turns); returns how many were written. */
export async function writeStepsFlat(
  writer: StepWriter,
  tracker: DeliveryTracker,
  count: number,
): Promise<number> {
  let written = 0;
  while (written < count) {
    for (let k = 0; k < 200 && written < count; k++) {
      const key = writer.next();
      if (key === undefined) return written;
      tracker.wrote(key);
      written++;
    }
    await new Promise((r) => setImmediate(r));
  }
  return written;
}
