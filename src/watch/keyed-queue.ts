// A work queue after client-go's: tasks with the same key run one at a time, in the order pushed; different
// keys run concurrently up to a limit. Used so that one Rollout's (and its AnalysisRuns') events are handled
// strictly in order while other Rollouts proceed.

type Task = () => Promise<void>;

export class KeyedSerialQueue {
  private readonly pending = new Map<string, Task[]>();
  private readonly ready: string[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;

  constructor(concurrency = 16) {
    this.concurrency = concurrency;
  }

  get size(): number {
    let n = 0;
    for (const tasks of this.pending.values()) n += tasks.length;
    return n;
  }

  push(key: string, task: Task): void {
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

  private resolveIdle(): void {
    if (this.running === 0 && this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
