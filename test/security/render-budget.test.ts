// One tenant's template cannot freeze the service: every render has budgets, an out-of-budget notification is
// dead-lettered with the reason (never retried, never rendered again), the other destinations are unaffected.
import { afterEach, describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/config-store.ts";
import { createLogger } from "../../src/logger.ts";
import { planNotifications } from "../../src/pipeline/plan-notifications.ts";
import { createInMemoryQueue } from "../../src/queue/in-memory-queue.ts";
import { compileTemplateSpec, renderField } from "../../src/templates/compile.ts";
import { compileHandlebars, setTemplateEngineLogger } from "../../src/templates/engine.ts";
import {
  type RenderBudgetError,
  renderBudgetErrorOf,
  withRenderBudget,
} from "../../src/templates/render-budget.ts";
import { withConditionDeadline } from "../../src/triggers/condition-deadline.ts";
import { configMap, secret } from "../config/load-examples.ts";
import { FakeSink } from "../queue/queue-test-kit.ts";
import { completedRollout } from "../support/completed-rollout.ts";

const RUNAWAY = `${"{{#each @root}}".repeat(7)}x${"{{/each}}".repeat(7)}`;

const ctx = {
  rollout: { metadata: { name: "web", namespace: "team", labels: { a: "1", b: "2" } }, spec: {}, status: {} },
  trigger: "on-rollout-completed",
  recipient: "r",
  context: { a: "1", b: "2", c: "3", d: "4" },
  // the real context has ~14 top-level keys (templates/context.ts)
  serviceType: "slack",
  time: "2026-01-01T00:00:00Z",
  strategy: "canary",
  revision: "3",
  images: [],
  step: null,
  failedMetrics: [],
  analysisRuns: [],
  transition: { detail: "" },
};

function budgetError(fn: () => unknown): RenderBudgetError {
  try {
    fn();
  } catch (err) {
    const b = renderBudgetErrorOf(err);
    if (b) return b;
    throw err;
  }
  throw new Error("expected a render budget error");
}

describe("render budgets", () => {
  afterEach(() => setTemplateEngineLogger(() => {}));

  it("7 nested {{#each @root}} stops at the iteration budget (it took a minute and 4 GB before)", () => {
    const render = compileHandlebars(RUNAWAY);
    const err = budgetError(() => render(ctx, "none"));
    expect(err.limit).toBe("iterations");
    expect(err.message).toContain("RENDER_MAX_ITERATIONS");
  });

  it("a helper that would multiply its input stops before making the output", () => {
    const render = compileHandlebars(
      '{{replace "" "0123456789" (replace "" "0123456789" (replace "" "0123456789" (replace "" "0123456789" (json @root))))}}',
    );
    const err = budgetError(() => render(ctx, "none"));
    expect(err.limit).toBe("output");
  });

  it("the output budget counts what loops produce", () => {
    const render = compileHandlebars(
      "{{#each rollout.metadata.labels}}{{json @root}}{{json @root}}{{/each}}",
    );
    const err = budgetError(() => withRenderBudget({ maxOutputChars: 500 }, () => render(ctx, "none")));
    expect(err.limit).toBe("output");
    expect(render(ctx, "none").length).toBeGreaterThan(500); // the default budget allows it
  });

  it("the time budget stops a render that keeps the clock running", () => {
    const render = compileHandlebars(
      "{{#each rollout.metadata.labels}}{{#each @root}}{{json @root}}{{/each}}{{/each}}",
    );
    const err = budgetError(() =>
      withRenderBudget({ deadlineAt: Date.now() - 1 }, () => render(ctx, "none")),
    );
    expect(err.limit).toBe("time");
  });

  it("a Go template's runaway `range` is a budget failure too (the interpreter runs with the render budget)", () => {
    const goRunaway = `${"{{range $}}".repeat(7)}x${"{{end}}".repeat(7)}`;
    const t = compileTemplateSpec({ name: "go-runaway", message: goRunaway });
    expect(t.fields.get("message")?.syntax).toBe("go");
    const err = budgetError(() => renderField(t, "message", ctx));
    expect(err.limit).toBe("iterations");
    expect(err.message).toContain("RENDER_MAX_ITERATIONS");
  });

  it("a Go template whose loop calls costly functions stops at the time budget (it ran 10 s with a 1 s budget)", () => {
    // 2000 iterations of hashing 750 KB: few iterations and little output, so only the clock can stop it
    const heavy = `{{ range $i := until 2000 }}{{ sha256sum (repeat 150000 "heavy") | trunc 1 }}{{ end }}`;
    const t = compileTemplateSpec({ name: "go-heavy", message: heavy });
    expect(t.fields.get("message")?.syntax).toBe("go");
    const started = Date.now();
    const err = budgetError(() => withRenderBudget({ timeMs: 200 }, () => renderField(t, "message", ctx)));
    expect(err.limit).toBe("time");
    expect(err.message).toContain("RENDER_TIMEOUT_MS");
    // checked every 16 function calls and iterations: it ends soon after the deadline, far from the 10 s
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a namespace without render share left renders nothing; with a little left, stops when it runs out", () => {
    const render = compileHandlebars("{{#each rollout.metadata.labels}}{{json @root}}{{/each}}");
    const none = budgetError(() =>
      withRenderBudget({ shareDeadlineAt: Date.now() }, () => render(ctx, "none")),
    );
    expect(none.limit).toBe("share");
    expect(none.message).toContain("RENDER_SHARE_PERCENT");
    const t = compileTemplateSpec({
      name: "go-heavy",
      message: `{{ range $i := until 2000 }}{{ sha256sum (repeat 150000 "heavy") | trunc 1 }}{{ end }}`,
    });
    const some = budgetError(() =>
      withRenderBudget({ timeMs: 60_000, shareDeadlineAt: Date.now() + 50 }, () =>
        renderField(t, "message", ctx),
      ),
    );
    expect(some.limit).toBe("share");
    // the time budget, when it comes first, is named as such
    const first = budgetError(() =>
      withRenderBudget({ timeMs: 50, shareDeadlineAt: Date.now() + 60_000 }, () =>
        renderField(t, "message", ctx),
      ),
    );
    expect(first.limit).toBe("time");
  });

  it("blocks nested deeper than the depth budget are refused when the template is compiled", () => {
    const deep = `${"{{#if true}}".repeat(30)}x${"{{/if}}".repeat(30)}`;
    expect(() => compileHandlebars(deep)).toThrow(/blocks nested deeper than 24/);
  });

  it("Handlebars' own warnings go to the log hook, not to stderr", () => {
    const seen: string[] = [];
    setTemplateEngineLogger((level, message) => seen.push(`${level}: ${message}`));
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    const origError = console.error;
    const origWarn = console.warn;
    process.stderr.write = ((chunk: unknown) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    console.error = (...a: unknown[]) => writes.push(a.join(" "));
    console.warn = (...a: unknown[]) => writes.push(a.join(" "));
    try {
      expect(
        compileHandlebars("{{rollout.toString}}{{rollout.constructor}}{{rollout.__proto__}}")(ctx, "none"),
      ).toBe("");
      compileHandlebars("{{#with rollout}}{{valueOf}}{{/with}}")(ctx, "none");
    } finally {
      process.stderr.write = orig;
      console.error = origError;
      console.warn = origWarn;
    }
    expect(writes).toEqual([]);
    expect(seen.join("\n")).toContain("Access has been denied");
  });
});

describe("an out-of-budget notification in the pipeline", () => {
  const { transition, world } = completedRollout({ slack: "deploys", audit: "" });

  it("is dead-lettered with the budget reason at the first attempt, never sent, never retried", async () => {
    const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
    store.update(configMap({ "service.webhook.audit": "url: https://audit.example" }), undefined);
    store.updateNamespace(
      "team",
      configMap(
        {
          "service.slack": "token: $t",
          // only on this namespace's objects: one that runs away on any object is refused at load (dry-render,
          // templates-at-load.test.ts); this one passes the sample objects and runs away when it fires
          "template.runaway": `message: "{{#if (eq rollout.metadata.namespace 'team')}}${RUNAWAY}{{/if}}"`,
          "trigger.on-rollout-completed": "- send: [runaway]",
        },
        "team",
      ),
      secret({ t: "xoxb-team-token" }, "team"),
    );
    const config = store.forNamespace("team");
    const started = Date.now();
    const planned = planNotifications({
      transition,
      world,
      config,
      now: new Date(),
      detectedAt: Date.now(),
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(planned.jobs.map((j) => [j.destination.service, j.notification.renderFailure?.code])).toEqual([
      ["audit", "render_budget"],
      ["slack", "render_budget"],
    ]);
    expect(planned.problems.map((p) => p.message).join("\n")).toContain("render budget exceeded");

    const sink = new FakeSink();
    const q = createInMemoryQueue({
      sinks: () => sink,
      resolveService: (name, ns) => (ns ? store.forNamespace(ns) : store.current).services[name],
      logger: createLogger({ level: "silent" }),
      retry: { baseDelayMs: 1, maxAttempts: 5 },
    });
    try {
      await q.enqueue(planned.jobs);
      const settled = await q.waitUntilSettled(
        planned.jobs.map((j) => j.jobId),
        { timeoutMs: 5_000 },
      );
      expect(settled.deadLettered).toHaveLength(2);
      const letters = await q.listDeadLetters();
      expect(letters.map((l) => [l.reason.code, l.attempts])).toEqual([
        ["render_budget", 0],
        ["render_budget", 0],
      ]);
      expect(letters[0]!.reason.message).toContain("RENDER_MAX_ITERATIONS");
      expect(sink.calls).toEqual([]);
      // enqueued again (the watcher re-planning the same transition): a no-op, nothing rendered or retried
      expect((await q.enqueue(planned.jobs)).enqueued).toEqual([]);
    } finally {
      await q.close();
    }
  });
});

describe("a namespace's share of rendering time in the pipeline", () => {
  const { transition, world } = completedRollout({ slack: "deploys" });

  it("with none left, every notification of the transition is a render failure naming the share, at once", () => {
    const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
    store.update(configMap({ "service.slack": "token: $t" }), secret({ t: "xoxb-central" }));
    const planned = planNotifications({
      transition,
      world,
      config: store.forNamespace("team"),
      now: new Date(),
      detectedAt: Date.now(),
      renderShareMs: 0,
    });
    expect(planned.jobs.map((j) => [j.destination.service, j.notification.renderFailure?.code])).toEqual([
      ["slack", "render_budget"],
    ]);
    expect(planned.jobs[0]!.notification.renderFailure?.message).toContain("share of rendering time");
    // with time left, the same transition renders
    const rendered = planNotifications({
      transition,
      world,
      config: store.forNamespace("team"),
      now: new Date(),
      detectedAt: Date.now(),
      renderShareMs: 1_000,
    });
    expect(rendered.jobs[0]!.notification.renderFailure).toBeUndefined();
  });

  it("a trigger condition not evaluated in time is a dead letter naming it, not a notification left out unseen", () => {
    const store = new ConfigStore({ logger: createLogger({ level: "silent" }), namespace: "argo-rollouts" });
    store.update(
      configMap({
        "service.slack": "token: $t",
        "template.done": "message: done",
        "trigger.on-rollout-completed": "- when: rollout.status.phase == 'Healthy'\n  send: [done]",
      }),
      secret({ t: "xoxb-central" }),
    );
    const plan = () =>
      planNotifications({
        transition,
        world,
        config: store.forNamespace("team"),
        now: new Date(),
        detectedAt: Date.now(),
      });
    const cut = withConditionDeadline(
      { at: Date.now() - 1, reason: "the namespace has used its share of rendering time" },
      plan,
    );
    expect(cut.jobs.map((j) => [j.destination.service, j.notification.renderFailure])).toEqual([
      [
        "slack",
        {
          code: "render_budget",
          message:
            "trigger on-rollout-completed[0] not evaluated: when: the namespace has used its share of rendering time",
        },
      ],
    ]);
    expect(cut.problems.map((p) => p.message)).toEqual([
      "trigger on-rollout-completed[0]: when: the namespace has used its share of rendering time",
    ]);
    // evaluated in time: the same notification (same job id), rendered
    const sent = plan();
    expect(sent.jobs.map((j) => [j.jobId, j.notification.message])).toEqual([[cut.jobs[0]!.jobId, "done"]]);
  });
});
