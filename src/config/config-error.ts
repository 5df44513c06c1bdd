// Configuration problems. Every error names the ConfigMap (or Secret) and the key it is about, and the field path
// inside the key's YAML value; messages never contain secret values.

export interface ConfigError {
  /** "namespace/name" of the ConfigMap the key belongs to. */
  source: string;
  /** The ConfigMap data key, e.g. "service.slack", "trigger.on-deploy", "subscriptions". */
  key: string;
  /** Path inside the key's YAML value, e.g. "serviceKeys.my-service" or "[1].when". */
  path?: string;
  message: string;
}

export function formatConfigError(e: ConfigError): string {
  const where = e.path ? `${e.key} (${e.path})` : e.key;
  return `${e.source} key "${where}": ${e.message}`;
}

/** Error collector for one ConfigMap key. */
export class KeyErrors {
  readonly errors: ConfigError[] = [];
  readonly warnings: string[] = [];
  private readonly source: string;
  readonly key: string;

  constructor(source: string, key: string) {
    this.source = source;
    this.key = key;
  }

  error(message: string, path?: string): void {
    const e: ConfigError = { source: this.source, key: this.key, message };
    if (path) e.path = path;
    this.errors.push(e);
  }

  warn(message: string, path?: string): void {
    this.warnings.push(`${this.source} key "${path ? `${this.key} (${path})` : this.key}": ${message}`);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

/** Joins a zod issue path as "a.b[0].c". */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
