// How Go values are represented while a Go template executes (go-exec.ts), and the value rules text/template
// and fmt apply to them.
//
//   Go                          JS
//   invalid (missing map key)   undefined            prints "<no value>"
//   nil interface, nil map…     null                 prints "<nil>"
//   string, bool                string, boolean
//   int (literals, len, …)      bigint
//   int64 (sprig arithmetic)    GoInt64              a distinct type, as in Go (an int64 is not assignable to int)
//   float64 (JSON numbers)      number
//   []interface{} / []string    Array
//   map[string]interface{}      plain object         printed and ranged in sorted key order
//   time.Time, time.Duration,   GoObject subclasses  methods callable as fields ({{.time.Now}}, {{$t.Unix}});
//   *semver.Version                                  String() used by fmt (Stringer)
//   func                        GoFunc               `call` calls it

export type GoValue =
  | undefined
  | null
  | string
  | boolean
  | bigint
  | number
  | GoInt64
  | GoObject
  | GoFunc
  | GoValue[]
  | GoMap;
export interface GoMap {
  [key: string]: GoValue;
}

export class GoInt64 {
  readonly v: bigint;
  constructor(v: bigint) {
    this.v = BigInt.asIntN(64, v);
  }
}

/** A Go value with methods (time.Time, *semver.Version…). */
export abstract class GoObject {
  abstract readonly goType: string;
  /** Methods a template may call: {{.x.Name arg…}}. */
  abstract method(name: string): ((args: GoValue[]) => GoValue) | undefined;
  /** fmt's %v/%s text (the String() method); undefined when the type is not a Stringer. */
  abstract goString(): string | undefined;
}

export class GoFunc {
  readonly fn: (args: GoValue[]) => GoValue;
  readonly name: string;
  constructor(name: string, fn: (args: GoValue[]) => GoValue) {
    this.name = name;
    this.fn = fn;
  }
}

/** A runtime error of the template (a Go panic or error result of a function, a failed type check, a limit). */
export class GoExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoExecError";
  }
}

export const isMap = (v: unknown): v is GoMap =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  !(v instanceof GoObject) &&
  !(v instanceof GoInt64) &&
  !(v instanceof GoFunc);

export const isInt = (v: unknown): v is bigint | GoInt64 => typeof v === "bigint" || v instanceof GoInt64;
export const intOf = (v: bigint | GoInt64): bigint => (typeof v === "bigint" ? v : v.v);

/** Element types of slices that are not []interface{} (sprig's splitList returns []string, until []int…). */
const SLICE_TYPES = new WeakMap<GoValue[], string>();
export function typedSlice<T extends GoValue[]>(v: T, type: "[]string" | "[]int" | "[][]interface {}"): T {
  SLICE_TYPES.set(v, type);
  return v;
}

/** The Go type name fmt uses in %T and in "%!d(string=x)". */
export function goTypeOf(v: GoValue): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float64";
  }
  if (v instanceof GoInt64) return "int64";
  if (v instanceof GoObject) return v.goType;
  if (v instanceof GoFunc) return "func";
  if (Array.isArray(v)) return SLICE_TYPES.get(v) ?? "[]interface {}";
  return "map[string]interface {}";
}

/** text/template's truth (exec.go isTrue): false, 0, "", nil, empty slices and maps are false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "boolean":
      return v;
    case "bigint":
      return v !== 0n;
    case "number":
      return v !== 0;
  }
  if (v instanceof GoInt64) return v.v !== 0n;
  if (v instanceof GoObject || v instanceof GoFunc) return true;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** sprig's empty(): the opposite of isTrue, with a struct (time.Time…) never empty. */
export const isEmpty = (v: GoValue): boolean => !isTrue(v);

export function sortedKeys(m: GoMap): string[] {
  // Go sorts string keys by bytes; UTF-16 order differs only for astral vs. U+E000–U+FFFF
  return Object.keys(m).sort((a, b) => {
    const ab = Buffer.from(a);
    const bb = Buffer.from(b);
    return Buffer.compare(ab, bb);
  });
}
