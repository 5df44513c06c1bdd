import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type MigrateOptions, runMigrate } from "../../src/cli/commands/migrate.ts";

const INSTALL = "examples/config/upstream-notifications-install.yaml";
const cli = (...args: string[]) =>
  spawnSync("node_modules/.bin/node", ["src/cli/main.ts", ...args], { encoding: "utf8", cwd: process.cwd() });

/** runMigrate in-process (the command's own function; the CLI wiring is covered by the spawned runs). */
function migrate(
  file: string,
  opts: MigrateOptions = {},
): { status: number; stdout: string; stderr: string } {
  const out = { status: 0, stdout: "", stderr: "" };
  runMigrate(
    file,
    {
      stdout: { write: (c: string) => (out.stdout += c) },
      stderr: { write: (c: string) => (out.stderr += c) },
      readFile: (path) => readFileSync(path, "utf8"),
      setExitCode: (code) => {
        out.status = code;
      },
    },
    opts,
  );
  return out;
}

function tempFile(name: string, lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "rn-migrate-")), name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const HEADER = [
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata: {name: argo-rollouts-notification-configmap}",
  "data:",
];

describe("rollouts-notifier migrate", () => {
  it("upstream's install ConfigMap: nothing behaves differently (exit 0), printed unchanged, with its notes", () => {
    const res = cli("migrate", INSTALL);
    expect(res.status).toBe(0);
    expect(parse(res.stdout)).toEqual(parse(readFileSync(INSTALL, "utf8")));
    expect(res.stderr.split("\n").filter((l) => l.includes(": difference: "))).toEqual([]);
    // (its templates' email parts are no note any more: email is a service type since issue 11)
    expect(res.stderr).toContain(
      `${INSTALL}:4: note: triggers: not defined here: on-rollout-resumed, on-analysis-run-completed. Argo Rollouts sends nothing for a subscription (annotation) to one of them; this service sends its built-in template for it`,
    );
    expect(res.stderr).toContain(`${INSTALL}: 0 difference(s) from Argo Rollouts, 1 note(s)`);
  });

  it("reports every template construct that would not render as upstream, each with its line (exit 1)", () => {
    const file = tempFile("cm.yaml", [
      ...HEADER,
      "  template.fancy: |",
      "    message: '{{template \"footer\" .}} {{.rollout.metadata.name}}'",
      "    slack:",
      "      attachments: |",
      '        [{"title": "{{ .rollout.metadata.name | camelcase }}",',
      '          "text": "{{ genCA "rollouts" 365 }}",',
      '          "footer": "{{ bcrypt .rollout.metadata.name }}"}]',
      "  template.plain: |",
      "    message: 'Rollout {{.rollout.metadata.name}} done'",
    ]);
    const res = migrate(file);
    expect(res.status).toBe(1);
    const differences = res.stderr.split("\n").filter((l) => l.includes(": difference: "));
    expect(differences).toEqual([
      `${file}:6: difference: template "fancy" field "message": no such template "footer" (in {{template "footer" .}}); notifications with this template fail to render (each is reported, none is sent)`,
      expect.stringMatching(
        new RegExp(
          `^${file}:10: difference: template "fancy" field "slack.attachments": function "genCA" is not supported`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^${file}:11: difference: template "fancy" field "slack.attachments": function "bcrypt" is not supported`,
        ),
      ),
    ]);
    // the key's load error is not repeated: each problem is listed once, with its line
    expect(res.stderr).not.toContain("template.fancy (");
    expect(res.stdout).toBe(readFileSync(file, "utf8"));
  });

  it("one run reports services, loading, subscriptions and trigger semantics too; --check prints no config", () => {
    const file = tempFile("cm.yaml", [
      ...HEADER,
      "  service.slack: |",
      "    token: $slack-token",
      "  service.carrierpigeon: |",
      "    queue: rollouts",
      "  template.done: |",
      "    message: Rollout {{.rollout.metadata.name}} is {{.rollout.status.phase}} {{.context.url}}",
      "  trigger.on-rollout-completed: |",
      "    - when: rollout.status.phase == 'Healthy'",
      "      send: [done]",
      "  trigger.on-rollout-aborted: |",
      "    - oncePer: rollout.metadata.generation",
      "      send: [done]",
      "  trigger.on-rollout-healthy: |",
      "    - send: [done]",
      "  subscriptions: |",
      "    - recipients:",
      "      - slack: deploys",
      "  defaultTriggers: |",
      "    - on-rollout-completed",
      "    - on-rollout-completed",
      "  context: |",
      "    a: 1",
      "    a: 2",
    ]);
    const secret = tempFile("secret.yaml", [
      "apiVersion: v1",
      "kind: Secret",
      "metadata: {name: argo-rollouts-notification-secret}",
      "stringData: {slack-token: ''}",
    ]);
    const res = cli("migrate", file, "--check", "--secret", secret);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe("");
    const report = res.stderr.split("\n");
    const at = (line: number, kind: string) =>
      report
        .filter((l) => l.startsWith(`${file}:${line}: ${kind}: `) && !l.includes(`${kind}: triggers: `))
        .map((l) => l.slice(l.indexOf(kind)));
    expect(at(5, "note")).toEqual([
      'note: service.slack (token): references "$slack-token", which is empty in Secret argo-rollouts-notification-secret: substituted as an empty string, as Argo Rollouts does',
    ]);
    expect(at(7, "difference")).toEqual([
      // a type that is not one of ours (every notifications-engine type is: docs/services/README.md lists them)
      expect.stringMatching(
        /^difference: service\.carrierpigeon: service type "carrierpigeon" is not supported \(not a notifications-engine type\) \(supported: slack, .*\): notifications to "carrierpigeon" are not sent \(each one is reported as a problem\); see docs\/services\/README\.md$/,
      ),
    ]);
    expect(at(10, "difference")).toEqual([
      'difference: template "done" field "message": .context.url: Argo Rollouts has no `context` (it ignores that ConfigMap key), so there this prints "<no value>"; here it reads this service\'s `context` key',
    ]);
    expect(at(11, "difference")).toEqual([
      expect.stringMatching(
        /^difference: trigger\.on-rollout-completed \(\[0\]\.when\): `when` on a built-in trigger sends at most once per event of the trigger .*argoproj\/argo-rollouts#2011/,
      ),
    ]);
    expect(at(14, "difference")).toEqual([
      "difference: trigger.on-rollout-aborted ([0].oncePer): `oncePer` on a built-in trigger also limits its event path (Argo Rollouts' event path ignores `oncePer`)",
    ]);
    expect(at(17, "difference")).toEqual([
      "difference: trigger.on-rollout-healthy: Argo Rollouts sends this trigger when its controller records a RolloutHealthy event; that event is not detected here, so it is never sent (no condition has a `when`)",
    ]);
    expect(at(17, "note")).toEqual([
      "note: trigger.on-rollout-healthy ([0].when): a custom trigger condition without `when` never fires (as in Argo Rollouts)",
    ]);
    expect(at(19, "difference")).toEqual([
      expect.stringMatching(
        /^difference: subscriptions \(\[0\]\.recipients\[0\]\): recipient written as a mapping; read as "slack:deploys" \(Argo Rollouts rejects this form/,
      ),
    ]);
    expect(at(25, "note")).toEqual([
      'note: context: duplicate key "a" (lines 1 and 2): the last value is used, as Argo Rollouts does',
    ]);
    expect(report).toContain(
      `${file}: 6 difference(s) from Argo Rollouts, 4 note(s) — see docs/migrating.md#remaining-differences`,
    );
  });

  it("exits 0 when nothing behaves differently, and says how many notes", () => {
    const file = tempFile("cm.yaml", [
      ...HEADER,
      "  service.slack: |",
      "    token: $slack-token",
      "  template.done: |",
      "    message: Rollout {{.rollout.metadata.name}} completed",
      "  trigger.on-rollout-completed: |",
      "    - send: [done]",
    ]);
    const res = migrate(file, { check: true });
    expect(res.stderr).toContain(
      `${file}:1: note: Secret: 1 $reference(s) not checked: pass --secret to check them against the Secret`,
    );
    expect(res.stderr).toContain(`${file}: 0 difference(s) from Argo Rollouts, 2 note(s)`);
    expect(res.stdout).toBe("");
    expect(res.status).toBe(0);
  });

  it("a subscriptions entry naming a built-in trigger the ConfigMap does not define: one difference, from the load warning", () => {
    const file = tempFile("cm.yaml", [
      ...HEADER,
      "  service.slack: |",
      "    token: xoxb-migrate",
      "  subscriptions: |",
      "    - recipients: [slack:deploys]",
      "      triggers: [on-rollout-completed]",
    ]);
    const res = migrate(file, { check: true });
    const said = res.stderr.split("\n").filter((l) => l.includes("not defined in this ConfigMap"));
    expect(said).toEqual([
      `${file}:7: difference: subscriptions ([0].triggers): built-in trigger(s) not defined in this ConfigMap: "on-rollout-completed": Argo Rollouts sends nothing for them ("trigger is not configured"); this service sends their built-in templates`,
    ]);
    expect(res.status).toBe(1);
  });

  it("checks $refs against a Secret in the same file, and never prints the Secret", () => {
    const file = tempFile("cm.yaml", [
      ...HEADER,
      "  service.slack: |",
      "    token: $slack-token",
      "  service.webhook.hook: |",
      "    url: $hook-url",
      "---",
      "apiVersion: v1",
      "kind: Secret",
      "metadata: {name: argo-rollouts-notification-secret}",
      "stringData: {slack-token: xoxb-very-secret-value}",
    ]);
    const res = migrate(file);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(
      `${file}:7: difference: service.webhook.hook (url): references "$hook-url" but Secret argo-rollouts-notification-secret has no such key`,
    );
    expect(res.stdout).toContain("service.slack");
    expect(res.stdout).not.toContain("kind: Secret");
    expect(`${res.stdout}${res.stderr}`).not.toContain("xoxb-very-secret-value");
  });

  it("exits 2 when the file cannot be read", () => {
    const res = cli("migrate", "/nonexistent/cm.yaml");
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("cannot read /nonexistent/cm.yaml");
  });
});
