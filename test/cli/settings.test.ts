import { describe, expect, it } from "vitest";
import { resolveRunSettings, SettingsError } from "../../src/cli/settings.ts";

const base = { REDIS_URL: "redis://127.0.0.1:1234" };

describe("resolveRunSettings", () => {
  it("uses defaults and environment variables", () => {
    const s = resolveRunSettings(
      "run",
      {},
      { ...base, POD_NAMESPACE: "ops", WATCH_NAMESPACES: "a, b", LOG_LEVEL: "debug" },
    );
    expect(s.namespace).toBe("ops");
    expect(s.leaseNamespace).toBe("ops");
    expect(s.watchNamespaces).toEqual(["a", "b"]);
    expect(s.logLevel).toBe("debug");
    expect(s.configMapName).toBe("argo-rollouts-notification-configmap");
    expect(s.secretName).toBe("argo-rollouts-notification-secret");
    expect(s.annotationPrefix).toBe("notifications.argoproj.io");
    expect(s.httpPort).toBe(9090);
    expect(s.concurrency).toBe(32);
    expect(s.tenantConcurrency).toBe(8); // a quarter of it
  });

  it("derives the namespaces' share of the delivery slots from the concurrency unless given", () => {
    expect(resolveRunSettings("run", {}, { ...base, WORKER_CONCURRENCY: "10" }).tenantConcurrency).toBe(2);
    expect(resolveRunSettings("run", { tenantConcurrency: "5" }, base).tenantConcurrency).toBe(5);
    expect(resolveRunSettings("run", {}, { ...base, TENANT_CONCURRENCY: "3" }).tenantConcurrency).toBe(3);
    expect(() => resolveRunSettings("run", { tenantConcurrency: "0" }, base)).toThrow(
      /--tenant-concurrency: expected an integer from 1 to 1000, got "0"/,
    );
  });

  it("console: history and Rollout Events on by default, switchable off; the static token from the environment only", () => {
    const d = resolveRunSettings("run", {}, base);
    expect([
      d.historyEnabled,
      d.historyTransitionsPerRollout,
      d.historyMaxAgeHours,
      d.historyMaxRollouts,
    ]).toEqual([true, 50, 168, 2000]);
    expect(d.rolloutEvents).toBe(true);
    expect(d.consoleToken).toBeUndefined();
    const off = resolveRunSettings(
      "run",
      { history: "off" },
      { ...base, ROLLOUT_EVENTS: "false", CONSOLE_TOKEN: "t0ken", HISTORY_MAX_ROLLOUTS: "10" },
    );
    expect([off.historyEnabled, off.rolloutEvents, off.consoleToken, off.historyMaxRollouts]).toEqual([
      false,
      false,
      "t0ken",
      10,
    ]);
  });

  it("prefers flags over the environment", () => {
    const s = resolveRunSettings(
      "watcher",
      { namespace: "x", concurrency: "3" },
      { ...base, POD_NAMESPACE: "ops" },
    );
    expect(s.namespace).toBe("x");
    expect(s.concurrency).toBe(3);
  });

  it.each([
    [{}, {}, /REDIS_URL: required/],
    [{}, { REDIS_URL: "http://x" }, /REDIS_URL: expected a redis:\/\//],
    [{ concurrency: "0" }, base, /--concurrency: expected an integer from 1/],
    [{}, { ...base, HTTP_PORT: "http" }, /HTTP_PORT: expected an integer/],
    [{}, { ...base, LOG_LEVEL: "loud" }, /LOG_LEVEL: expected one of/],
    [{ watchNamespaces: "ok,Not_OK" }, base, /--watch-namespaces: "Not_OK" is not a valid namespace/],
    [{}, { ...base, POD_NAMESPACE: "Bad NS" }, /POD_NAMESPACE: "Bad NS" is not a valid Kubernetes name/],
    [{}, { ...base, HISTORY_ENABLED: "maybe" }, /HISTORY_ENABLED: expected on\/off/],
    [{ rolloutEvents: "sometimes" }, base, /--rollout-events: expected on\/off/],
    [
      {},
      { ...base, HISTORY_TRANSITIONS_PER_ROLLOUT: "0" },
      /HISTORY_TRANSITIONS_PER_ROLLOUT: expected an integer from 1/,
    ],
  ])("rejects %j %j naming the setting", (flags, env, message) => {
    expect(() => resolveRunSettings("run", flags, env)).toThrow(SettingsError);
    expect(() => resolveRunSettings("run", flags, env)).toThrow(message);
  });
});
