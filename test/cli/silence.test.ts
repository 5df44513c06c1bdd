// `rollouts-notifier silence add|list|expire` against a real Redis: what it writes is what the console and the
// watcher read (SilenceStore), the author is recorded, bad input is a usage error (exit 2).
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DlqIO } from "../../src/cli/commands/dlq.ts";
import { registerSilenceCommand } from "../../src/cli/commands/silence.ts";
import type { Silence } from "../../src/silences/silence.ts";
import { freePort } from "../support/free-port.ts";
import { type RedisHarness, startRedis } from "../support/redis-server.ts";

let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

async function silence(args: string[], env: NodeJS.ProcessEnv = { USER: "tester" }) {
  let out = "";
  let err = "";
  let code = 0;
  const io: DlqIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { REDIS_URL: redis.url, ...env },
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command("rollouts-notifier").exitOverride();
  registerSilenceCommand(program, io);
  await program.parseAsync(["node", "rollouts-notifier", "silence", ...args]);
  return { code, out, err };
}

describe("silence", () => {
  it("adds, lists and expires a silence, recording who", async () => {
    const added = await silence([
      "add",
      "--namespace",
      "apps",
      "--rollout",
      "web",
      "--label",
      "team=payments",
      "--service",
      "slack",
      "--duration",
      "2h",
      "--comment",
      "db migration",
      "--summary",
      "--json",
    ]);
    expect(added.err).toBe("");
    expect(added.code).toBe(0);
    const s = JSON.parse(added.out) as Silence;
    expect(s).toMatchObject({
      matchers: { namespace: "apps", rollout: "web", labels: { team: "payments" }, service: "slack" },
      comment: "db migration",
      createdBy: "cli:tester",
      summary: true,
    });
    expect(s.endsAt - s.startsAt).toBe(2 * 3600_000);

    const list = await silence(["list"]);
    expect(list.out).toContain(s.id);
    expect(list.out).toContain("active");
    expect(list.out).toContain("namespace=apps, rollout=web, service=slack, label team=payments");

    const expired = await silence(["expire", s.id, "--author", "ops-lead"]);
    expect(expired).toEqual({ code: 0, out: `expired silence ${s.id}\n`, err: "" });
    expect((await silence(["list"])).out).toBe("no silences\n");
    const all = JSON.parse((await silence(["list", "--all", "--json"])).out) as Silence[];
    expect(all.find((x) => x.id === s.id)?.expiredBy).toBe("cli:ops-lead");
    expect(await silence(["expire", s.id])).toMatchObject({ code: 1 });
  });

  it("refuses bad input with exit code 2 and the reason", async () => {
    expect(await silence(["add", "--rollout", "web", "--duration", "1h"])).toMatchObject({
      code: 2,
      err: "silence: comment: required (say why)\n",
    });
    expect(await silence(["add", "--duration", "1h", "--comment", "x"])).toMatchObject({ code: 2 });
    expect(
      await silence(["add", "--rollout", "web", "--label", "nokey", "--duration", "1h", "--comment", "x"]),
    ).toMatchObject({ code: 2 });
    expect(await silence(["list"], { REDIS_URL: "" })).toMatchObject({ code: 2 });
  });

  it("names an unreachable Redis without its password", async () => {
    const port = await freePort();
    const r = await silence(["list", "--redis-url", `redis://:hunter2secret@127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Redis at 127.0.0.1:${port}`);
    expect(r.err).not.toContain("hunter2secret");
  });
});
