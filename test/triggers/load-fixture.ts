// Reads the copied Argo Rollouts fixtures (real controller-written objects) for the detection tests.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";

export function loadFixture(path: string): KubeObject {
  return parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), "utf8")) as KubeObject;
}

/** A deep copy with changes applied by the callback (the fixture stays untouched). */
export function edit(
  obj: KubeObject,
  change: (o: KubeObject & { status: Record<string, unknown> }) => void,
): KubeObject {
  const copy = structuredClone(obj) as KubeObject & { status: Record<string, unknown> };
  copy.status ??= {};
  change(copy);
  return copy;
}
