// Server-side printing (meta.k8s.io/v1 Table), asked for by `kubectl get` without -o. Custom resources get
// Name and their CRD's additionalPrinterColumns (simple .a.b.c paths); built-in kinds get kube-apiserver's columns.
import type { KubeObject } from "../../../src/kube/objects.ts";
import { loadFixtureCrds } from "./crd-schemas.ts";
import type { ServedResource } from "./resources.ts";

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((p) => p.includes("as=Table"));
}

function valueAt(obj: unknown, jsonPath: string): unknown {
  let node: unknown = obj;
  for (const key of jsonPath.replace(/^\./, "").split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, as in the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function age(timestamp: unknown): string | null {
  if (typeof timestamp !== "string") return null;
  return humanDuration(Date.now() - Date.parse(timestamp));
}

type Column = { name: string; type: string; jsonPath: string; description?: string };

/** The extra columns kube-apiserver's printers show for the built-in kinds (then Age). */
const BUILT_IN_COLUMNS: Record<string, Column[]> = {
  Namespace: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
  ConfigMap: [
    { name: "Data", type: "integer", jsonPath: "#data" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
  Secret: [
    { name: "Type", type: "string", jsonPath: ".type" },
    { name: "Data", type: "integer", jsonPath: "#data" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
  Event: [
    { name: "Last Seen", type: "date", jsonPath: ".lastTimestamp" },
    { name: "Type", type: "string", jsonPath: ".type" },
    { name: "Reason", type: "string", jsonPath: ".reason" },
    { name: "Object", type: "string", jsonPath: ".involvedObject.name" },
    { name: "Message", type: "string", jsonPath: ".message" },
  ],
  Lease: [
    { name: "Holder", type: "string", jsonPath: ".spec.holderIdentity" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};

function cell(o: KubeObject, c: Column): unknown {
  if (c.jsonPath === "#data")
    return (
      Object.keys(o.data ?? {}).length + Object.keys((o as { binaryData?: object }).binaryData ?? {}).length
    );
  const v = valueAt(o, c.jsonPath);
  return c.type === "date" ? age(v) : (v ?? null);
}

export function toTable(
  r: ServedResource,
  items: KubeObject[],
  metadata: Record<string, unknown>,
  withColumns = true,
): unknown {
  const printer = r.custom
    ? (loadFixtureCrds().get(r.kind)?.printerColumns ?? []).filter((c) =>
        /^(\.[A-Za-z0-9_]+)+$/.test(c.jsonPath),
      )
    : (BUILT_IN_COLUMNS[r.kind] ?? []);
  const columnDefinitions = [
    { name: "Name", type: "string", format: "name", description: "Name of the object", priority: 0 },
    ...printer.map((c) => ({
      name: c.name,
      type: c.type,
      format: "",
      description: c.description ?? "",
      priority: 0,
    })),
    // printer columns (a CRD's additionalPrinterColumns, the built-in printers) include their own Age
    ...(printer.length === 0
      ? [{ name: "Age", type: "string", format: "", description: "CreationTimestamp", priority: 0 }]
      : []),
  ];
  const rows = items.map((o) => ({
    cells: [
      o.metadata.name,
      ...printer.map((c) => cell(o, c)),
      ...(printer.length === 0 ? [age(o.metadata.creationTimestamp)] : []),
    ],
    object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
  }));
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    ...(withColumns ? { columnDefinitions } : {}),
    rows,
  };
}
