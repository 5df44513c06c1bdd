// Reads the Argo Rollouts fixtures (real controller-written objects, test/fixtures/argo-rollouts) for the
// detection tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/objects.ts";
import { ARGO_FIXTURES_DIR } from "../support/argo-fixtures.ts";

export function loadFixture(path: string): KubeObject {
  return parse(readFileSync(join(ARGO_FIXTURES_DIR, path), "utf8")) as KubeObject;
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
