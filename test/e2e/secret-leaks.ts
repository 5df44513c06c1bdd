// Secrets never leave the process: everything an e2e run wrote — every service's stdout/stderr (logs), `dlq list`
// (table and --json, run as the real CLI), /metrics and /readyz — is searched for every Secret value of the world
// in every encoding we might send it in (raw, base64, base64url, URL-encoded, JSON-escaped, `user:pass` pairs).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { secretEncodings } from "../../src/redaction/secret-redactor.ts";
import { type AnyE2eWorld as E2eWorld, PD_ROUTING_KEY, WEBHOOK_SIGNING_SECRET } from "./harness.ts";

const run = promisify(execFile);

/** Every Secret value the world gave the service, in every spelling worth looking for. */
export function worldSecretSpellings(world: E2eWorld): string[] {
  const raw = [world.slack.token, PD_ROUTING_KEY, WEBHOOK_SIGNING_SECRET];
  return [...new Set(raw.flatMap((v) => [...secretEncodings(v), Buffer.from(`:${v}`).toString("base64")]))];
}

/** Everything the run wrote that an operator (or a scraper) can see, labelled by where it came from. */
export async function everythingWritten(world: E2eWorld): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  for (const s of world.services) {
    out.push({ where: `${s.podName} stdout/stderr`, text: s.logs.map((l) => JSON.stringify(l)).join("\n") });
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      const port = await s.httpPort();
      for (const path of ["/metrics", "/readyz", "/healthz"]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        out.push({ where: `${s.podName} ${path}`, text: await res.text() });
      }
    }
  }
  for (const args of [
    ["dlq", "list"],
    ["dlq", "list", "--json"],
  ]) {
    const r = await run(process.execPath, ["src/cli/main.ts", ...args, ...world.redis.serviceArgs], {
      env: { ...process.env, LOG_LEVEL: "info", ...world.redis.serviceEnv },
    });
    out.push(
      { where: `${args.join(" ")} stdout`, text: r.stdout },
      { where: `${args.join(" ")} stderr`, text: r.stderr },
    );
  }
  return out;
}

/** Where (and which spelling of) a secret was found; empty when nothing leaked. */
export function leaksIn(spellings: string[], written: { where: string; text: string }[]): string[] {
  const leaks: string[] = [];
  for (const { where, text } of written) {
    for (const s of spellings) {
      if (text.includes(s)) leaks.push(`${where}: contains ${JSON.stringify(s.slice(0, 6))}…`);
    }
  }
  return leaks;
}

export async function findSecretLeaks(world: E2eWorld): Promise<string[]> {
  return leaksIn(worldSecretSpellings(world), await everythingWritten(world));
}
