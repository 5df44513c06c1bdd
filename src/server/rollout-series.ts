// The upstream-compatible metrics (notification_send_success/_error, notification_send) are labelled per Rollout,
// as Argo Rollouts labels them. A cluster where Rollouts come and go (one per pull request, say) would keep a
// series for every Rollout ever notified, deleted ones included (~1.2 KB of heap each, and as much in every
// /metrics answer). This keeps the series of the MAX_ROLLOUTS_WITH_SERIES Rollouts notified most recently: the
// least recently notified one's series are removed, and start again from 0 if it is notified again (`rate()` and
// `increase()` read that as a counter reset, as after a restart).
import type { Counter, Histogram } from "prom-client";

export const MAX_ROLLOUTS_WITH_SERIES = 5_000;

type Labels = Record<string, string>;

interface Tracked {
  /** Label sets used per metric for this Rollout (JSON of the labels, in the metric's label order). */
  readonly sets: Map<Counter<string> | Histogram<string>, Map<string, Labels>>;
}

export class RolloutSeries {
  private readonly rollouts = new Map<string, Tracked>();
  private readonly max: number;

  constructor(max = MAX_ROLLOUTS_WITH_SERIES) {
    this.max = max;
  }

  /** How many Rollouts have series now. */
  get size(): number {
    return this.rollouts.size;
  }

  /** Records that `metric` got a sample with `labels` for the Rollout namespace/name; evicts beyond the bound. */
  touch(namespace: string, name: string, metric: Counter<string> | Histogram<string>, labels: Labels): void {
    const key = `${namespace}/${name}`;
    let t = this.rollouts.get(key);
    if (t)
      this.rollouts.delete(key); // most recent last
    else t = { sets: new Map() };
    this.rollouts.set(key, t);
    let sets = t.sets.get(metric);
    if (!sets) {
      sets = new Map();
      t.sets.set(metric, sets);
    }
    const id = JSON.stringify(labels);
    if (!sets.has(id)) sets.set(id, labels);
    while (this.rollouts.size > this.max) {
      const [oldest, old] = this.rollouts.entries().next().value as [string, Tracked];
      this.rollouts.delete(oldest);
      for (const [m, used] of old.sets) for (const l of used.values()) m.remove(l);
    }
  }
}
