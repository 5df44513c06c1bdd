// `rollouts-notifier template notify NAME --object FILE… [--config CM.yaml] [--service S] [--trigger T]`:
// renders one template (from the ConfigMap, else built-in) for objects read from files and prints the
// service-shaped notification JSON. Nothing is sent. Conversion notes and Slack shape problems go to stderr.
// Exit codes: 0 rendered; 1 the template fails to convert/compile/render; 2 usage (files, names, options).
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { KeyErrors } from "../../config/config-error.ts";
import { parseTemplateEntry } from "../../config/template-config.ts";
import type { ServiceConfig, TemplateSpec } from "../../config/types.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { REVISION_ANNOTATION } from "../../kube/objects.ts";
import { SERVICE_TYPES, serviceTypeOf } from "../../sinks/registry.ts";
import type { AnyServiceTypeDefinition } from "../../sinks/service-type.ts";
import { BUILTIN_TEMPLATES, triggerForBuiltinTemplate } from "../../templates/builtin/index.ts";
import { compileTemplateSpec } from "../../templates/compile.ts";
import { buildTemplateContext } from "../../templates/context.ts";
import type { Notification } from "../../templates/notification.ts";
import { renderNotification } from "../../templates/render.ts";
import type { Transition } from "../../triggers/transition.ts";
import { isBuiltinTrigger } from "../../triggers/trigger-names.ts";

export interface TemplateIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  readFile(path: string): string;
  now(): Date;
  setExitCode(code: number): void;
}

const processIO: TemplateIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFileSync(path, "utf8"),
  now: () => new Date(),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export class UsageError extends Error {}

export interface NotifyFlags {
  object: string[];
  config?: string;
  service: string;
  trigger?: string;
  recipient: string;
  time?: string;
}

interface LoadedConfig {
  templates: Record<string, TemplateSpec>;
  triggers: Record<string, string[]>;
  context: Record<string, string>;
  /** template name → loader warnings */
  warnings: Record<string, string[]>;
}

function loadConfig(text: string, file: string): LoadedConfig {
  const out: LoadedConfig = { templates: {}, triggers: {}, context: {}, warnings: {} };
  const cm = parseAllDocuments(text, { logLevel: "error" })
    .map(
      (d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string }; data?: unknown },
    )
    .find((o) => o?.kind === "ConfigMap");
  if (!cm) throw new UsageError(`${file}: no ConfigMap found`);
  const source = `${cm.metadata?.namespace ?? "default"}/${cm.metadata?.name ?? "configmap"}`;
  const data = (cm.data ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string") continue;
    if (key.startsWith("template.")) {
      const name = key.slice("template.".length);
      const errors = new KeyErrors(source, key);
      const spec = parseTemplateEntry(name, value, errors);
      out.warnings[name] = errors.warnings;
      if (!errors.ok || !spec) {
        throw new Error(
          errors.errors
            .map((e) => `${source} key "${key}"${e.path ? ` (${e.path})` : ""}: ${e.message}`)
            .join("; "),
        );
      }
      out.templates[name] = spec;
    } else if (key.startsWith("trigger.")) {
      const conditions = parseYaml(value, { logLevel: "error" }) as unknown;
      const sends = Array.isArray(conditions)
        ? conditions.flatMap((c) =>
            Array.isArray((c as { send?: unknown })?.send) ? (c as { send: string[] }).send : [],
          )
        : [];
      out.triggers[key.slice("trigger.".length)] = sends;
    } else if (key === "context") {
      const ctx = parseYaml(value, { logLevel: "error" }) as unknown;
      if (ctx && typeof ctx === "object") {
        for (const [k, v] of Object.entries(ctx)) out.context[k] = String(v);
      }
    }
  }
  return out;
}

function loadObjects(files: string[], io: TemplateIO): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    for (const doc of parseAllDocuments(text, { logLevel: "error" })) {
      if (doc.errors.length)
        throw new UsageError(`${file}: invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
      const obj = doc.toJS() as KubeObject & { items?: KubeObject[] };
      if (!obj) continue;
      if (obj.kind === "List" && Array.isArray(obj.items)) objects.push(...obj.items);
      else objects.push(obj);
    }
  }
  return objects;
}

/** `--service <type>` or `<type>.<name>`: a placeholder config of that type (nothing is sent). */
function serviceFor(flag: string): { service: ServiceConfig; def: AnyServiceTypeDefinition } {
  const dot = flag.indexOf(".");
  const type = dot < 0 ? flag : flag.slice(0, dot);
  const name = dot < 0 ? flag : flag.slice(dot + 1);
  const def = serviceTypeOf(type);
  if (!def || !name) {
    const types = SERVICE_TYPES.map((t) => t.type).join(", ");
    throw new UsageError(
      `--service must be <type> or <type>.<name> with type one of ${types}, not "${flag}"`,
    );
  }
  return { service: def.previewConfig(name) as ServiceConfig, def };
}

const refOf = (o: KubeObject) => ({
  kind: o.kind ?? "",
  namespace: o.metadata.namespace ?? "",
  name: o.metadata.name,
  uid: o.metadata.uid ?? "",
});

/** Renders template `name` for the objects; returns the notification and warnings. */
export function previewNotification(
  name: string,
  flags: NotifyFlags,
  io: TemplateIO,
): { notification: Notification; warnings: string[] } {
  const { service, def } = serviceFor(flags.service);
  const config = flags.config ? loadConfig(readOrUsage(flags.config, io), flags.config) : undefined;
  const spec = config?.templates[name] ?? BUILTIN_TEMPLATES[name];
  if (!spec) {
    const known = [...Object.keys(config?.templates ?? {}), ...Object.keys(BUILTIN_TEMPLATES)];
    throw new UsageError(`no template "${name}" (known: ${[...new Set(known)].sort().join(", ")})`);
  }
  const objects = loadObjects(flags.object, io);
  const rollout = objects.find((o) => o.kind === "Rollout");
  if (!rollout) throw new UsageError("--object files contain no Rollout");
  const analysisRuns = objects.filter((o) => o.kind === "AnalysisRun");
  const trigger =
    flags.trigger ??
    Object.entries(config?.triggers ?? {}).find(([, sends]) => sends.includes(name))?.[0] ??
    triggerForBuiltinTemplate(name) ??
    "on-rollout-updated";
  const isAnalysisTrigger = trigger.startsWith("on-analysis-run");
  const analysisRun = isAnalysisTrigger ? analysisRuns[0] : undefined;
  if (isAnalysisTrigger && !analysisRun)
    throw new UsageError(`trigger ${trigger} needs an AnalysisRun in --object`);
  if (!isBuiltinTrigger(trigger) && !config?.triggers[trigger]) {
    throw new UsageError(`unknown trigger "${trigger}"`);
  }
  const subject = analysisRun ?? rollout;
  const revision = rollout.metadata.annotations?.[REVISION_ANNOTATION];
  const transition: Transition = {
    id: `preview/${trigger}/${subject.metadata.uid ?? subject.metadata.name}`,
    trigger,
    object: refOf(subject),
    rollout: refOf(rollout),
    snapshot: subject,
  };
  if (revision !== undefined) transition.revision = revision;
  const now = flags.time ? new Date(flags.time) : io.now();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--time "${flags.time}" is not a time`);
  const compiled = compileTemplateSpec(spec);
  const ctx = buildTemplateContext({
    transition,
    rollout,
    analysisRuns,
    recipient: flags.recipient,
    serviceType: service.type,
    context: config?.context ?? {},
    now,
    ...(analysisRun ? { analysisRun } : {}),
  });
  const notification = renderNotification([compiled], ctx, service);
  const warnings = [...(config?.warnings[name] ?? []), ...compiled.warnings];
  const part = (notification as unknown as Record<string, unknown>)[def.part];
  if (part !== undefined && def.previewWarnings) warnings.push(...def.previewWarnings(part));
  return { notification, warnings };
}

function readOrUsage(file: string, io: TemplateIO): string {
  try {
    return io.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export function registerTemplateCommand(program: Command, io: TemplateIO = processIO): void {
  const template = program.command("template").description("work with notification templates");
  template
    .command("notify")
    .description(
      "render one template for a Rollout (and AnalysisRuns) from files and print the notification JSON",
    )
    .argument("<name>", "template name (from --config, else built-in)")
    .requiredOption("--object <file...>", "YAML file(s) with the Rollout and, optionally, AnalysisRuns")
    .option("--config <file>", "argo-rollouts-notification-configmap YAML")
    .addOption(
      new Option(
        "--service <service>",
        "service type, or <type>.<name> (slack, pagerdutyv2, webhook.<name>, …)",
      ).default("slack"),
    )
    .option("--trigger <trigger>", "trigger to render for (default: the trigger that sends the template)")
    .option("--recipient <recipient>", "recipient (channel, PagerDuty service)", "preview")
    .option("--time <iso>", "render time (default: now)")
    .action((name: string, flags: NotifyFlags) => {
      try {
        const { notification, warnings } = previewNotification(name, flags, io);
        for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
        io.stdout.write(`${JSON.stringify(notification, null, 2)}\n`);
      } catch (err) {
        io.stderr.write(`error: ${(err as Error).message}\n`);
        io.setExitCode(err instanceof UsageError ? 2 : 1);
      }
    });
}
