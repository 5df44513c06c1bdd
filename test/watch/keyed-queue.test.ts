// The watcher's keyed work queue: per-key order, and the backlog bound a producer waits on (whenAtMost).
import { describe, expect, it } from "vitest";
import { KeyedSerialQueue } from "../../src/watch/keyed-queue.ts";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("KeyedSerialQueue", () => {
  it("runs one key's tasks in order, one at a time", async () => {
    const q = new KeyedSerialQueue(4);
    const seen: string[] = [];
    for (const i of [1, 2, 3]) {
      q.push("a", async () => {
        seen.push(`start ${i}`);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(`end ${i}`);
      });
    }
    await q.onIdle();
    expect(seen).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  it("whenAtMost resolves only once the backlog (queued and running) is down to the limit", async () => {
    const q = new KeyedSerialQueue(1);
    const gates = [deferred(), deferred(), deferred()];
    for (const [i, g] of gates.entries()) q.push(`k${i}`, () => g.promise);
    expect(q.size).toBe(3);
    let resolved = false;
    const waiting = q.whenAtMost(1).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(resolved).toBe(false);
    gates[0]!.resolve();
    await new Promise((r) => setTimeout(r, 5));
    expect(resolved).toBe(false); // 2 left
    gates[1]!.resolve();
    await waiting;
    expect(q.size).toBe(1);
    await expect(q.whenAtMost(1)).resolves.toBeUndefined();
    gates[2]!.resolve();
    await q.onIdle();
    expect(q.size).toBe(0);
  });

  it("clear() releases a producer waiting on the backlog", async () => {
    const q = new KeyedSerialQueue(1);
    const running = deferred();
    q.push("a", () => running.promise);
    for (let i = 0; i < 10; i++) q.push(`b${i}`, async () => {});
    const waiting = q.whenAtMost(1);
    q.clear();
    await waiting;
    expect(q.size).toBe(1); // only the running task
    running.resolve();
    await q.onIdle();
    expect(q.size).toBe(0);
  });
});
