// A work queue after client-go's: tasks with the same key run one at a time, in the order pushed; different
// keys run concurrently up to a limit. Used so that one Rollout's (and its AnalysisRuns') events are handled
// strictly in order while other Rollouts proceed.

type Task = () => Promise<void>;

export class KeyedSerialQueue {
  private readonly pending = new Map<string, Task[]>();
  private readonly ready: string[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  /** Tasks pushed and not finished (running ones included). */
  private queued = 0;
  private backlogWaiters: { limit: number; resolve: () => void }[] = [];
  private readonly concurrency: number;

  constructor(concurrency = 16) {
    this.concurrency = concurrency;
  }

  get size(): number {
    return this.queued;
  }

  /** Resolves once at most `limit` tasks are queued or running (a producer's backpressure). */
  whenAtMost(limit: number): Promise<void> {
    if (this.queued <= limit) return Promise.resolve();
    return new Promise((resolve) => this.backlogWaiters.push({ limit, resolve }));
  }

  push(key: string, task: Task): void {
    this.queued++;
    const tasks = this.pending.get(key);
    if (tasks) {
      tasks.push(task);
      return;
    }
    this.pending.set(key, [task]);
    this.ready.push(key);
    this.pump();
  }

  /** Drops everything not yet started (a leader that lost its lease stops at once). */
  clear(): void {
    for (const key of this.ready) this.pending.delete(key);
    this.ready.length = 0;
    for (const tasks of this.pending.values()) tasks.length = 1; // keep only the running task's slot
    this.queued = this.pending.size;
    this.resolveBacklog();
    this.resolveIdle();
  }

  onIdle(): Promise<void> {
    if (this.running === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      void this.runKey(key);
    }
  }

  private async runKey(key: string): Promise<void> {
    this.running++;
    try {
      for (;;) {
        const tasks = this.pending.get(key);
        const task = tasks?.[0];
        if (!tasks || !task) break;
        try {
          await task();
        } catch {
          // tasks handle and report their own errors; a rejected task must not stop its key's lane
        } finally {
          tasks.shift();
          this.queued--;
          this.resolveBacklog();
        }
        if (tasks.length === 0) break;
      }
    } finally {
      this.pending.delete(key);
      this.running--;
      this.pump();
      this.resolveIdle();
    }
  }

  private resolveBacklog(): void {
    if (this.backlogWaiters.length === 0) return;
    const waiting = this.backlogWaiters;
    this.backlogWaiters = [];
    for (const w of waiting) {
      if (this.queued <= w.limit) w.resolve();
      else this.backlogWaiters.push(w);
    }
  }

  private resolveIdle(): void {
    if (this.running === 0 && this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
