// The compatibility corpus (README.md): every real config sends exactly what Argo Rollouts sends for its
// history, or each difference is reported at load and by `migrate` with a named reason (and nothing is dropped
// without a reported reason: replay reports every notification it does not send).
import { describe, expect, it } from "vitest";
import { formatConfigError } from "../../src/config/config-error.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import { reviewConfigMapYaml } from "../../src/migrate/review-configmap.ts";
import { canonicalTrigger } from "../../src/triggers/trigger-names.ts";
import { replay } from "../replay/replay-kit.ts";
import { CASES, type CompatCase } from "./cases.ts";
import { history, mergedConfigMap, mergedConfigMapYaml, reduce, type Sent, secret } from "./compat-kit.ts";

function byDestination(sent: Sent[]): Record<string, Sent[]> {
  const out: Record<string, Sent[]> = {};
  for (const s of sent) out[s.to] = [...(out[s.to] ?? []), { ...s, trigger: canonicalTrigger(s.trigger) }];
  return out;
}

async function run(c: CompatCase) {
  const cm = mergedConfigMap(c.configs);
  const r = await replay({
    items: history(c.history, c.edit),
    configObjects: [cm, secret(c.secret)],
    mode: "dry-run",
    namespace: "argo-rollouts",
  });
  const expected = c.differs?.sent ?? c.upstream;
  const like = (to: string) => expected.find((e) => e.to === to);
  const got = r.lines.map((l) => reduce(l, like(`${l.service}:${l.recipient}`)));
  return { cm, r, got, expected };
}

describe("compatibility corpus: real configs send what Argo Rollouts sends", () => {
  for (const [name, c] of Object.entries(CASES)) {
    // skipped only while the feature the case waits for is missing; the reason is the case's `pendingOn`
    const test = c.pendingOn ? it.skip : it;
    test(c.pendingOn ? `${name} (waits for: ${c.pendingOn})` : name, async () => {
      const { cm, r, got, expected } = await run(c);
      expect(byDestination(got), r.stderr).toEqual(byDestination(expected));
      for (const p of c.problems ?? []) expect(r.stderr).toContain(p);
      if (!c.differs) return;
      // every difference is said at load, with its reason …
      const loaded = loadNotifierConfig(cm, secret(c.secret));
      const said = [...loaded.warnings, ...loaded.errors.map(formatConfigError)].join("\n");
      for (const reason of c.differs.load) expect(said).toContain(reason);
      // … and by migrate, as a difference
      const review = reviewConfigMapYaml(mergedConfigMapYaml(cm), { secret: secret(c.secret) });
      const differences = review.items.filter((i) => i.differs).map((i) => `${i.subject}: ${i.message}`);
      for (const reason of c.differs.migrate) expect(differences.join("\n")).toContain(reason);
      // … and no notification upstream sends is dropped without a reported reason
      const missing = c.upstream.filter((u) => !expected.some((e) => e.to === u.to));
      for (const m of missing) {
        const service = m.to.slice(0, m.to.indexOf(":"));
        expect(r.stderr).toContain(`service "${service}" is not configured`);
      }
    });
  }
});
