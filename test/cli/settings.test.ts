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
    expect(s.concurrency).toBe(8);
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
  ])("rejects %j %j naming the setting", (flags, env, message) => {
    expect(() => resolveRunSettings("run", flags, env)).toThrow(SettingsError);
    expect(() => resolveRunSettings("run", flags, env)).toThrow(message);
  });
});
