// Property: whatever fails transiently or permanently, each key's deliveries follow enqueue order and every
// job settles exactly once (delivered or dead-lettered).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createInMemoryQueue } from "../../src/queue/in-memory-queue.ts";
import { FakeSink, makeJob, permanent, resolveService, silentLogger, transient } from "./queue-test-kit.ts";

describe("in-memory queue ordering (property)", () => {
  it("keeps per-key order and settles every job once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 3 }),
            fails: fc.integer({ min: 0, max: 3 }),
            perm: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 6 }),
        async (specs, concurrency) => {
          const jobs = specs.map((s, n) => ({ ...s, job: makeJob({ rollout: `p${s.key}`, n }) }));
          const byId = new Map(jobs.map((j) => [j.job.jobId, j]));
          const sink = new FakeSink();
          sink.plan = (id, attempt) => {
            const s = byId.get(id)!;
            if (attempt > s.fails) return undefined;
            return s.perm ? permanent() : transient();
          };
          const q = createInMemoryQueue({
            sinks: () => sink,
            resolveService,
            logger: silentLogger,
            concurrency,
            retry: { maxAttempts: 3, baseDelayMs: 2, maxDelayMs: 4, maxTotalMs: 10_000 },
          });
          await q.enqueue(jobs.map((j) => j.job));
          const report = await q.waitUntilSettled(jobs.map((j) => j.job.jobId));
          await q.close();
          expect(report.delivered.length + report.deadLettered.length).toBe(jobs.length);
          for (const j of jobs) {
            const expectDead = j.fails > 0 && (j.perm || j.fails >= 3);
            expect(report.deadLettered.includes(j.job.jobId)).toBe(expectDead);
          }
          // Per key, every attempt of a job comes after every attempt of the jobs before it.
          for (let k = 0; k < 4; k++) {
            const order = jobs.filter((j) => j.key === k).map((j) => j.job.jobId);
            const seq = sink.calls.filter((c) => order.includes(c.jobId)).map((c) => order.indexOf(c.jobId));
            expect(seq).toEqual([...seq].sort((a, b) => a - b));
            expect([...new Set(seq)]).toEqual(order.map((_, i) => i));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
