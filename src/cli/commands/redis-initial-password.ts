// `rollouts-notifier redis-initial-password --secret NAME [--namespace NS] [--key KEY] [--kubeconfig FILE]`:
// makes sure a Secret holds a password for the chart's embedded Redis. The Secret is created with a random
// password (32 random bytes, base64url: 43 characters) when it does not exist; an existing one is left as it
// is. The chart runs it as a pre-install/pre-upgrade hook Job (as Argo CD's chart runs
// `argocd admin redis-initial-password`), so the password is drawn once, in the cluster, and never by a
// render: `helm template` (Argo CD) gives the same manifests every time.
//
// The password is never printed. Two runs at once: the one whose create loses (409) finds the Secret there.
// Exit codes: 0 the Secret holds the key (created now or before); 1 the API refused or failed, or the Secret
// exists without the key (left alone: it may be someone else's); 2 usage.
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { loadKubeConfig } from "../../watch/kube-config.ts";
import { KubeApiError, kubeRequest } from "../../watch/kube-http.ts";
import type { DlqIO } from "./dlq.ts";

export interface RedisInitialPasswordFlags {
  namespace?: string;
  secret?: string;
  key?: string;
  kubeconfig?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** A Secret's data key, as the API server validates it. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const PASSWORD_BYTES = 32;

class UsageError extends Error {}

interface SecretObject {
  metadata?: { name?: string };
  data?: Record<string, string>;
}

/** A new password: url-safe (base64url), so it needs no quoting in a URL, a shell or a config file. */
export function newRedisPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString("base64url");
}

function validated(flags: RedisInitialPasswordFlags, env: NodeJS.ProcessEnv) {
  const namespace = flags.namespace ?? env.POD_NAMESPACE;
  if (!namespace) throw new UsageError("--namespace is required (or env POD_NAMESPACE)");
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new UsageError(`--namespace: "${namespace}" is not a valid namespace name`);
  }
  const secret = flags.secret;
  if (!secret) throw new UsageError("--secret is required");
  if (secret.length > 253 || !DNS_SUBDOMAIN.test(secret)) {
    throw new UsageError(`--secret: "${secret}" is not a valid Secret name`);
  }
  const key = flags.key ?? "redis-password";
  if (key.length > 253 || !SECRET_KEY.test(key)) {
    throw new UsageError(`--key: "${key}" is not a valid Secret key (letters, digits, '-', '_', '.')`);
  }
  return { namespace, secret, key };
}

/** What the API's refusal means for this command, in words an operator can act on. */
function explain(err: unknown, verb: "get" | "create", where: string, secret: string): string {
  if (err instanceof KubeApiError) {
    if (err.statusCode === 401) return `${verb} ${where}: the Kubernetes API refused the credentials (401)`;
    if (err.statusCode === 403) {
      return (
        `${verb} ${where}: forbidden (403): the service account needs ` +
        (verb === "get" ? `"get" on secrets (resourceNames: [${secret}])` : `"create" on secrets`) +
        ` in that namespace`
      );
    }
    if (err.statusCode === 404 && verb === "create") {
      return `${verb} ${where}: not found (404): does the namespace exist?`;
    }
    return `${verb} ${where}: HTTP ${err.statusCode}${err.reason ? ` ${err.reason}` : ""}`;
  }
  const e = err as Error & { cause?: { code?: string } };
  return `${verb} ${where}: ${e.cause?.code ?? e.name ?? "error"}: cannot reach the Kubernetes API`;
}

export type RedisInitialPasswordOutcome = "created" | "exists" | "created-concurrently";

/**
 * Ensures Secret namespace/secret holds `key`. Returns what happened; throws an Error whose message names the
 * Secret and the cause (never the password: API answers are reduced to their status code and reason).
 */
export async function ensureRedisInitialPassword(
  kc: ReturnType<typeof loadKubeConfig>,
  target: { namespace: string; secret: string; key: string },
): Promise<RedisInitialPasswordOutcome> {
  const { namespace, secret, key } = target;
  const collection = `/api/v1/namespaces/${namespace}/secrets`;
  const where = `Secret ${namespace}/${secret}`;
  let existing: SecretObject | undefined;
  try {
    existing = await kubeRequest<SecretObject>(kc, "GET", `${collection}/${secret}`);
  } catch (err) {
    if (!(err instanceof KubeApiError && err.statusCode === 404)) {
      throw new Error(explain(err, "get", where, secret));
    }
  }
  if (existing) {
    if (!existing.data?.[key]) {
      throw new Error(
        `${where} exists but has no (or an empty) key "${key}": left as it is; ` +
          `add the key, or delete the Secret to have a password generated`,
      );
    }
    return "exists";
  }
  const body = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secret,
      namespace,
      labels: { "app.kubernetes.io/component": "redis", "app.kubernetes.io/part-of": "rollouts-notifier" },
    },
    type: "Opaque",
    data: { [key]: Buffer.from(newRedisPassword()).toString("base64") },
  };
  try {
    await kubeRequest(kc, "POST", collection, { body });
    return "created";
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 409) {
      // Another run created it between our get and our create: theirs stands.
      return "created-concurrently";
    }
    throw new Error(explain(err, "create", where, secret));
  }
}

const processIO: DlqIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function registerRedisInitialPasswordCommand(program: Command, io: DlqIO = processIO): void {
  program
    .command("redis-initial-password")
    .description(
      "create a Secret with a random password for the embedded Redis unless it exists (the chart's hook Job)",
    )
    .option("--namespace <ns>", "namespace of the Secret (env POD_NAMESPACE)")
    .option("--secret <name>", "name of the Secret")
    .option("--key <key>", "key of the password in the Secret", "redis-password")
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (env KUBECONFIG; in-cluster config when unset inside a Pod)",
    )
    .action(async (flags: RedisInitialPasswordFlags) => {
      let target: ReturnType<typeof validated>;
      let kc: ReturnType<typeof loadKubeConfig>;
      try {
        target = validated(flags, io.env);
        kc = loadKubeConfig(flags.kubeconfig ?? io.env.KUBECONFIG, io.env);
      } catch (err) {
        io.stderr.write(`redis-initial-password: ${(err as Error).message}\n`);
        io.setExitCode(2);
        return;
      }
      const where = `Secret ${target.namespace}/${target.secret}`;
      try {
        const outcome = await ensureRedisInitialPassword(kc, target);
        io.stdout.write(
          outcome === "created"
            ? `${where} created with a random password in key "${target.key}"\n`
            : outcome === "exists"
              ? `${where} already holds key "${target.key}": left as it is\n`
              : `${where} was created meanwhile by another run: left as it is\n`,
        );
        io.setExitCode(0);
      } catch (err) {
        io.stderr.write(`redis-initial-password: ${(err as Error).message}\n`);
        io.setExitCode(1);
      }
    });
}
