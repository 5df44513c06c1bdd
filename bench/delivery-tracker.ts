// Matches webhook deliveries at the sink to the status writes that caused them: latency from the write to the
// delivery, deliveries still missing, and when a given number of deliveries has arrived.
import { appendFileSync } from "node:fs";
import type { CountingSink } from "./sink-server.ts";
import { stepKey } from "./world.ts";

interface WebhookBody {
  rollout?: { name?: string; step?: { index?: number } | null };
}

export class DeliveryTracker {
  private readonly written = new Map<string, number>();
  private readonly delivered = new Set<string>();
  private latencies: number[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  /** Deliveries that matched no write (should stay 0). */
  unmatched = 0;
  /** BENCH_LATENCY_LOG=<file> (diagnostics): each delivery's wall-clock time, latency and step, appended to it. */
  readonly #traceFile = process.env.BENCH_LATENCY_LOG;
  #trace: string[] = [];

  constructor(sink: CountingSink) {
    sink.onRequest((_req, body) => {
      const now = performance.now();
      let parsed: WebhookBody;
      try {
        parsed = JSON.parse(body) as WebhookBody;
      } catch {
        this.unmatched++;
        return;
      }
      const name = parsed.rollout?.name;
      const index = parsed.rollout?.step?.index;
      const key = name !== undefined && typeof index === "number" ? stepKey(name, index) : undefined;
      const at = key === undefined ? undefined : this.written.get(key);
      if (key === undefined || at === undefined) {
        this.unmatched++;
        return;
      }
      if (this.delivered.has(key)) return; // a duplicate: the sink counts those by Idempotency-Key
      this.delivered.add(key);
      this.latencies.push(now - at);
      if (this.#traceFile) this.#trace.push(`${Date.now()} ${(now - at).toFixed(1)} ${key}\n`);
      for (const w of [...this.waiters]) {
        if (this.delivered.size >= w.count) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  wrote(key: string, at = performance.now()): void {
    this.written.set(key, at);
  }

  get deliveredCount(): number {
    return this.delivered.size;
  }

  get writtenCount(): number {
    return this.written.size;
  }

  /** Latencies (ms) recorded since the last call, and resets them. */
  takeLatencies(): number[] {
    if (this.#traceFile && this.#trace.length > 0) {
      appendFileSync(this.#traceFile, this.#trace.join(""));
      this.#trace = [];
    }
    const l = this.latencies;
    this.latencies = [];
    return l;
  }

  /** Resolves when `count` distinct writes have been delivered; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.delivered.size >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `only ${this.delivered.size} of ${count} deliveries within ${timeoutMs} ms (unmatched ${this.unmatched})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}
