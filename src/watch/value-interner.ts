// One copy of each repeated JSON subtree the informer cache holds, where objects repeat whole subtrees: every
// AnalysisRun of one AnalysisTemplate carries the same metric definitions (provider, query, limits; args stay
// `{{args.x}}`), so thousands of runs can point at one parsed copy instead of each holding its own tree of
// objects. string-interner.ts shares string values; this shares the objects and arrays around them.
// Values are compared by their JSON text, so a shared value is equal to the one it replaces in every field any
// reader can see. Shared values are frozen (deeply): the cache never modifies an object, and a reader that tried
// would change every object sharing it, so it fails instead.
// Bounded: values whose JSON text is longer than maxLength are left alone, and when the table's texts reach
// maxBytes it starts over (values in use stay alive through the cached objects; the table stops pointing at them).

export class ValueInterner {
  private table = new Map<string, unknown>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxLength: number;

  constructor(opts: { maxBytes?: number; maxLength?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.maxLength = opts.maxLength ?? 16_384;
  }

  get size(): number {
    return this.table.size;
  }

  /** The shared instance of a value equal to `value` (JSON-shaped: objects, arrays, strings, numbers, booleans,
   * null); `value` itself, frozen, when it is the first of its kind; `value` unchanged when too long. */
  share<T>(value: T): T {
    if (value === null || typeof value !== "object") return value;
    const text = JSON.stringify(value);
    if (text.length > this.maxLength) return value;
    const shared = this.table.get(text);
    if (shared !== undefined) return shared as T;
    if (this.bytes + text.length > this.maxBytes) {
      this.table = new Map();
      this.bytes = 0;
    }
    this.table.set(text, deepFreeze(value));
    this.bytes += text.length;
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
