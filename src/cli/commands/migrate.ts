// `rollouts-notifier migrate FILE`: a review of an argo-rollouts-notification-configmap before moving to this
// service. One run reports (stderr) every difference from Argo Rollouts in the whole file, each with its line:
// template constructs that will not work, keys that do not load, unsupported service types, triggers whose
// behaviour differs and how; then notes (same behaviour, worth a look). Then it prints the ConfigMap(s) to deploy
// (stdout; Go templates run as they are, Secret documents are left out), unless --check.
// Exit codes: 0 nothing behaves differently; 1 something does (or the YAML is invalid); 2 a file cannot be read.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../kube/objects.ts";
import { formatReviewItem, reviewConfigMapYaml } from "../../migrate/review-configmap.ts";

export interface MigrateIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readFile(path: string): string;
  setExitCode(code: number): void;
}

export interface MigrateOptions {
  /** Report and exit code only: no config on stdout (for CI). */
  check?: boolean;
  /** The Secret file, to check `$refs` (default: a Secret in FILE, if any). */
  secret?: string;
}

const processIO: MigrateIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

function findSecret(text: string): KubeObject | undefined {
  for (const doc of parseAllDocuments(text, { logLevel: "error" }) as ReturnType<typeof parseAllDocuments> &
    unknown[]) {
    if (doc.errors.length > 0) continue;
    const obj = doc.toJS({ maxAliasCount: 100 }) as KubeObject | null;
    if (obj && typeof obj === "object" && obj.kind === "Secret") return obj;
  }
  return undefined;
}

function read(path: string, io: MigrateIO): string | undefined {
  try {
    return io.readFile(path);
  } catch (err) {
    io.stderr.write(`error: cannot read ${path}: ${(err as Error).message}\n`);
    io.setExitCode(2);
    return undefined;
  }
}

export function runMigrate(file: string, io: MigrateIO, opts: MigrateOptions = {}): void {
  const text = read(file, io);
  if (text === undefined) return;
  // the Secret: --secret, else one in the same file (kubectl get configmap,secret … -o yaml)
  let secret: KubeObject | undefined;
  if (opts.secret) {
    const secretText = read(opts.secret, io);
    if (secretText === undefined) return;
    secret = findSecret(secretText) ?? { kind: "Secret", metadata: { name: "" } };
  } else secret = findSecret(text);
  let review: ReturnType<typeof reviewConfigMapYaml>;
  try {
    review = reviewConfigMapYaml(text, secret ? { secret } : {});
  } catch (err) {
    io.stderr.write(`error: ${file}: ${(err as Error).message}\n`);
    io.setExitCode(1);
    return;
  }
  const differences = review.items.filter((i) => i.differs);
  const notes = review.items.filter((i) => !i.differs);
  for (const item of [...differences, ...notes]) io.stderr.write(`${formatReviewItem(file, item)}\n`);
  io.stderr.write(
    `${file}: ${differences.length} difference(s) from Argo Rollouts, ${notes.length} note(s)${
      differences.length > 0 ? " — see docs/migrating.md#remaining-differences" : ""
    }\n`,
  );
  if (!opts.check) io.stdout.write(review.yaml);
  if (differences.length > 0) io.setExitCode(1);
}

export function registerMigrateCommand(program: Command, io: MigrateIO = processIO): void {
  program
    .command("migrate")
    .description(
      "review an argo-rollouts-notification-configmap: every difference from Argo Rollouts (stderr, exit 1 when any), then the ConfigMap to deploy",
    )
    .argument("<file>", "ConfigMap YAML file (- for stdin)")
    .option("--check", "report and exit code only, no config on stdout (for CI)")
    .option(
      "--secret <file>",
      "the argo-rollouts-notification-secret, to check $references (default: a Secret in <file>)",
    )
    .action((file: string, opts: MigrateOptions) => runMigrate(file, io, opts));
}
