// `$key` references in service configs, resolved from the Secret next to the ConfigMap (upstream semantics:
// any `$name` inside a string value is replaced by the Secret key `name`). A missing key is an error that names
// the reference and the Secret, never a value. An empty Secret value is substituted (as upstream does) with a
// warning: a service configured with it loads, and its sends fail visibly (retried, then dead-lettered).
import type { KubeObject } from "../kube/objects.ts";
import { objectKey } from "../kube/objects.ts";
import type { KeyErrors } from "./config-error.ts";

const REF = /\$[\w-]+/g;

export interface SecretValues {
  /** "namespace/name" of the Secret (or of where it was expected). */
  source: string;
  present: boolean;
  values: ReadonlyMap<string, string>;
}

/** Decodes a Secret's `data` (base64) and `stringData` (plain; wins, as the API server merges it). */
export function readSecretValues(secret: KubeObject | undefined, expected: string): SecretValues {
  const values = new Map<string, string>();
  if (!secret) return { source: expected, present: false, values };
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (typeof v === "string") values.set(k, Buffer.from(v, "base64").toString("utf8"));
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) {
    if (typeof v === "string") values.set(k, v);
  }
  return { source: objectKey(secret), present: true, values };
}

/** Replaces `$refs` in every string of a parsed YAML value; reports each missing ref once (with its path). */
export function resolveSecretRefs(
  value: unknown,
  secret: SecretValues,
  errors: KeyErrors,
  path = "",
): unknown {
  if (typeof value === "string") {
    return value.replace(REF, (ref) => {
      const name = ref.slice(1);
      const found = secret.values.get(name);
      if (found === "")
        errors.warn(
          `references "${ref}", which is empty in Secret ${secret.source}: substituted as an empty string, as Argo Rollouts does`,
          path || undefined,
        );
      if (found !== undefined) return found;
      const why = secret.present ? "has no such key" : "does not exist";
      errors.error(`references "${ref}" but Secret ${secret.source} ${why}`, path || undefined);
      return ref;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveSecretRefs(v, secret, errors, `${path}[${i}]`));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = resolveSecretRefs(v, secret, errors, path ? `${path}.${k}` : k);
    }
    return out;
  }
  return value;
}
