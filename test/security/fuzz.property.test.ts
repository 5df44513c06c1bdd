// Fuzzing the parsers hostile tenants and histories reach: the config loader, the annotation parser, the template
// engine and the history parser never crash or hang, and every error is named. Quick by default; a longer run:
// FUZZ_RUNS=5000 FUZZ_SEED=123 npx vitest run test/security/fuzz.property.test.ts (the seed is printed on failure).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { KubeObject } from "../../src/kube/objects.ts";
import { createLogger } from "../../src/logger.ts";
import { parseReplayInput } from "../../src/replay/parse-documents.ts";
import { readAnnotationSubscriptions } from "../../src/subscriptions/annotation-subscriptions.ts";
import { resolveDestinations } from "../../src/subscriptions/resolve-destinations.ts";
import { compileTemplateSpec, renderField } from "../../src/templates/compile.ts";
import { configMap } from "../config/load-examples.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const pieces = (words: string[]) =>
  fc
    .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 })), { maxLength: 25 })
    .map((a) => a.join(""));

const YAML_BITS = [
  "\n",
  "  ",
  "- ",
  ": ",
  "&a ",
  "*a",
  "[",
  "]",
  "{",
  "}",
  "---\n",
  "'",
  '"',
  "$",
  "#",
  "|\n",
  "null",
  "1",
  "x",
];
const KEYS = [
  "service.slack",
  "service.webhook.h",
  "service.pagerdutyv2",
  "template.t",
  "trigger.on-rollout-completed",
  "trigger.custom",
  "subscriptions",
  "defaultTriggers",
  "context",
  "__proto__",
  "constructor",
];
const TEMPLATE_BITS = [
  "{{",
  "}}",
  "#each",
  "#if",
  "/each",
  "/if",
  "@root",
  "this",
  "../",
  " ",
  "rollout",
  ".",
  "(",
  ")",
  "json",
  "replace",
  '"',
  "{{else}}",
  "~",
  "as |x|",
  "range",
  "end",
  "$",
  ":=",
];

describe("fuzz", () => {
  it("config loader: never throws; every error names a key", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })), pieces(YAML_BITS), {
          maxKeys: 6,
        }),
        (data) => {
          const r = loadNotifierConfig(configMap(data), undefined);
          for (const e of r.errors) {
            expect(typeof e.key).toBe("string");
            expect(typeof e.message).toBe("string");
          }
          const store = new ConfigStore({
            logger: createLogger({ level: "silent" }),
            namespace: "argo-rollouts",
          });
          store.update(configMap(data), undefined);
          store.updateNamespace("team", configMap(data, "team"), undefined);
          expect(typeof store.readiness().ok).toBe("boolean");
          expect(Object.getPrototypeOf(store.forNamespace("team").services)).toBeNull();
        },
      ),
      params,
    );
  });

  it("annotation parser and routing: never throw; problems name their source", () => {
    const config = loadNotifierConfig(
      configMap({ "service.slack": "token: t", "service.webhook.h": "url: https://h.example" }),
      undefined,
    ).config;
    const annotationKey = fc.oneof(
      fc.constantFrom(
        "notifications.argoproj.io/subscriptions",
        "notifications.argoproj.io/subscribe.slack",
        "notifications.argoproj.io/subscribe.on-rollout-completed.slack",
        "notifications.argoproj.io/subscribe.on-rollout-completed.constructor",
      ),
      fc.string({ maxLength: 30 }).map((s) => `notifications.argoproj.io/subscribe.${s}`),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          annotationKey,
          pieces([
            ...YAML_BITS,
            ";",
            "#deploys",
            "\u202e",
            "\u0000",
            "<!channel>",
            "slack",
            "service: ",
            "recipients: ",
            "trigger: ",
          ]),
          { maxKeys: 4 },
        ),
        (annotations) => {
          const rollout: KubeObject = {
            kind: "Rollout",
            metadata: { name: "r", namespace: "n", uid: "u", annotations },
          };
          const parsed = readAnnotationSubscriptions(rollout);
          for (const p of parsed.problems) expect(p.source).toMatch(/^Rollout n\/r annotation/);
          const routed = resolveDestinations({ trigger: "on-rollout-completed", rollout, config });
          expect(routed.destinations.length).toBeLessThanOrEqual(50);
          for (const d of routed.destinations) {
            // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may pass
            expect(d.recipient).not.toMatch(/[\u0000-\u001f\u202e]/);
            // `<…>` is a mention where the service reads it so (Slack: normalize-recipient.ts, per type); an email
            // recipient may be `Name <addr>`, and a webhook's is not sent anywhere
            if (d.service === "slack") expect(d.recipient).not.toMatch(/[<>]/);
          }
        },
      ),
      params,
    );
  });

  it("template engine: compiles or names the error; renders or fails with a named error, within its budget", () => {
    const ctx = {
      rollout: { metadata: { name: "web", labels: { a: "1", b: "2" } } },
      recipient: "r",
      context: { x: "1" },
      list: [1, 2, 3],
    };
    fc.assert(
      fc.property(pieces(TEMPLATE_BITS), (source) => {
        let t: ReturnType<typeof compileTemplateSpec>;
        try {
          t = compileTemplateSpec({ name: "fz", message: source });
        } catch (err) {
          expect((err as Error).message).toMatch(/^template "fz" field "message"/);
          return;
        }
        try {
          const out = renderField(t, "message", ctx);
          expect(typeof out).toBe("string");
        } catch (err) {
          expect((err as Error).message).toMatch(/^template "fz" field "message"/);
          expect(err).not.toBeInstanceOf(RangeError);
        }
      }),
      params,
    );
  });

  it("history parser: never throws; every error names a document index and line", () => {
    const docs = fc.array(
      fc.oneof(
        pieces(YAML_BITS),
        fc.constant("kind: Rollout\nmetadata: {name: r}\nstatus: {currentStepIndex: 1}"),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(docs, fc.boolean(), (parts, asJson) => {
        const text = parts.join(asJson ? "\n" : "\n---\n");
        for (const item of parseReplayInput(text, { maxDocumentBytes: 4_000 })) {
          expect(item.index).toMatch(/^\d+(\.\d+)?$/);
          expect(Number.isInteger(item.line) && item.line >= 1).toBe(true);
          if (!item.ok) expect(item.message.length).toBeGreaterThan(0);
        }
      }),
      params,
    );
  });
});
