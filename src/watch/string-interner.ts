// One copy of each repeated string value in the informer caches. JSON.parse gives every object its own copy of
// every string value; across 40,000 cached objects most values repeat (apiVersion, kind, namespace, labels,
// owner kinds, phases, images, the metric definitions and queries every AnalysisRun of a template carries), so
// sharing one instance per value cuts the live set without changing a single value anyone reads.
// Bounded: strings longer than maxLength are left alone, and when the table holds maxEntries values it starts
// over (values still used by cached objects stay alive through them; the table only stops pointing at them).

export class StringInterner {
  private table = new Map<string, string>();
  private readonly maxEntries: number;
  private readonly maxLength: number;

  constructor(opts: { maxEntries?: number; maxLength?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 200_000;
    this.maxLength = opts.maxLength ?? 16_384;
  }

  get size(): number {
    return this.table.size;
  }

  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const shared = this.table.get(s);
    if (shared !== undefined) return shared;
    if (this.table.size >= this.maxEntries) this.table = new Map();
    this.table.set(s, s);
    return s;
  }

  /** Replaces, in place, every string value in a JSON-shaped value (objects and arrays, to `maxDepth`) by its
   * shared instance. Only string identity changes. */
  internDeep(value: unknown, maxDepth = 64): void {
    if (maxDepth <= 0 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v === "string") value[i] = this.intern(v);
        else if (v !== null && typeof v === "object") this.internDeep(v, maxDepth - 1);
      }
      return;
    }
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === "string") obj[k] = this.intern(v);
      else if (v !== null && typeof v === "object") this.internDeep(v, maxDepth - 1);
    }
  }
}
