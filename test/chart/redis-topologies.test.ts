// The chart's Redis values (docs/redis.md) rendered by the real helm: the environment of docs/settings.md for a
// Sentinel set, a Cluster, ACL credentials from a Secret and TLS files from a mounted Secret.
import { describe, expect, it } from "vitest";
import { container, envOf, FULLNAME, find, findAll, helmTemplate, renderChart } from "./render-chart.ts";

const deploymentOf = (values: unknown) => find(renderChart(values), "Deployment", FULLNAME);

describe("redis topologies in the chart", () => {
  it("Sentinel: addresses, master name, sentinel user; passwords from the auth Secret; no URL Secret", () => {
    const manifests = renderChart({
      redis: {
        sentinel: { addresses: ["s-0:26379", "s-1:26379", "s-2:26379"], masterName: "main", username: "sen" },
        auth: { existingSecret: "redis-auth", sentinelPasswordKey: "sentinel-password" },
      },
      worker: { enabled: true },
    });
    for (const name of [FULLNAME, `${FULLNAME}-worker`]) {
      const env = envOf(container(find(manifests, "Deployment", name)));
      expect(env).toMatchObject({
        REDIS_SENTINELS: "s-0:26379,s-1:26379,s-2:26379",
        REDIS_SENTINEL_MASTER: "main",
        REDIS_SENTINEL_USERNAME: "sen",
        REDIS_PASSWORD: { secretKeyRef: { name: "redis-auth", key: "redis-password" } },
        REDIS_SENTINEL_PASSWORD: { secretKeyRef: { name: "redis-auth", key: "sentinel-password" } },
      });
      expect(env).not.toHaveProperty("REDIS_URL");
      expect(env).not.toHaveProperty("REDIS_TLS");
    }
    expect(findAll(manifests, "Secret").map((s) => s.metadata.name)).not.toContain(`${FULLNAME}-redis-url`);
    const annotations = find(manifests, "Deployment", FULLNAME).spec.template.metadata.annotations ?? {};
    expect(annotations).not.toHaveProperty("checksum/redis-url");
  });

  it("Cluster with an ACL user and a client certificate: files from the mounted TLS Secret", () => {
    const d = deploymentOf({
      redis: {
        cluster: { nodes: ["r-0:6379", "r-1:6379", "r-2:6379"] },
        username: "notifier",
        auth: { existingSecret: "redis-auth", passwordKey: "pw" },
        tls: { existingSecret: "redis-tls", certKey: "tls.crt", keyKey: "tls.key" },
      },
    });
    const env = envOf(container(d));
    expect(env).toMatchObject({
      REDIS_CLUSTER: "r-0:6379,r-1:6379,r-2:6379",
      REDIS_USERNAME: "notifier",
      REDIS_PASSWORD: { secretKeyRef: { name: "redis-auth", key: "pw" } },
      REDIS_TLS_CA_FILE: "/etc/rollouts-notifier/redis-tls/ca.crt",
      REDIS_TLS_CERT_FILE: "/etc/rollouts-notifier/redis-tls/tls.crt",
      REDIS_TLS_KEY_FILE: "/etc/rollouts-notifier/redis-tls/tls.key",
    });
    expect(env).not.toHaveProperty("REDIS_TLS_INSECURE");
    expect(container(d).volumeMounts).toContainEqual({
      name: "redis-tls",
      mountPath: "/etc/rollouts-notifier/redis-tls",
      readOnly: true,
    });
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: "redis-tls",
      secret: { secretName: "redis-tls", defaultMode: 0o440 },
    });
  });

  it("a rediss:// URL with the insecure switch only when asked", () => {
    const plain = envOf(container(deploymentOf({ redis: { url: "rediss://r:6380" } })));
    expect(plain).not.toHaveProperty("REDIS_TLS_INSECURE");
    expect(plain).not.toHaveProperty("REDIS_TLS_CA_FILE");
    const insecure = envOf(
      container(deploymentOf({ redis: { url: "rediss://r:6380", tls: { insecure: true } } })),
    );
    expect(insecure.REDIS_TLS_INSECURE).toBe("true");
  });

  it("fails clearly on two topologies, half a client certificate, or a bad address", () => {
    const two = helmTemplate({ redis: { url: "redis://a:6379", cluster: { nodes: ["b:6379"] } } });
    expect(two.status).not.toBe(0);
    expect(two.stderr).toContain("redis.sentinel.addresses or redis.cluster.nodes");
    const half = helmTemplate({
      redis: { cluster: { nodes: ["b:6379"] }, tls: { existingSecret: "t", certKey: "tls.crt" } },
    });
    expect(half.status).not.toBe(0);
    expect(half.stderr).toContain("redis.tls.certKey and redis.tls.keyKey go together");
    const bad = helmTemplate({ redis: { sentinel: { addresses: ["no-port"] } } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("values don't meet the specifications of the schema");
  });
});
