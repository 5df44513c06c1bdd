// A template's compiled fields, each compiled the first time it is read: what the built-in templates use. A built-in
// template has a section for every service type (21), and an installation sends to a few, so compiling all of them
// at start cost ~19 MB of heap (Handlebars' generated functions and Go template trees) and seconds of CPU while
// the informers sync. Every path is known up front (keys, has, size); a field is compiled by get and by the
// iterations that hand out fields (values, entries, forEach).
import type { CompiledField } from "./compile.ts";

export class LazyFields implements ReadonlyMap<string, CompiledField> {
  private readonly sources: ReadonlyMap<string, string>;
  private readonly compile: (path: string, source: string) => CompiledField;
  private readonly compiled = new Map<string, CompiledField>();

  constructor(sources: [string, string][], compile: (path: string, source: string) => CompiledField) {
    this.sources = new Map(sources);
    this.compile = compile;
  }

  get size(): number {
    return this.sources.size;
  }

  has(path: string): boolean {
    return this.sources.has(path);
  }

  get(path: string): CompiledField | undefined {
    const done = this.compiled.get(path);
    if (done) return done;
    const source = this.sources.get(path);
    if (source === undefined) return undefined;
    const field = this.compile(path, source);
    this.compiled.set(path, field);
    return field;
  }

  keys(): MapIterator<string> {
    return this.sources.keys();
  }

  *entries(): MapIterator<[string, CompiledField]> {
    for (const path of this.sources.keys()) yield [path, this.get(path)!];
  }

  *values(): MapIterator<CompiledField> {
    for (const path of this.sources.keys()) yield this.get(path)!;
  }

  [Symbol.iterator](): MapIterator<[string, CompiledField]> {
    return this.entries();
  }

  forEach(
    fn: (value: CompiledField, key: string, map: ReadonlyMap<string, CompiledField>) => void,
    thisArg?: unknown,
  ): void {
    for (const [path, field] of this.entries()) fn.call(thisArg, field, path, this);
  }
}
