// Public surface of the templates stage.
export {
  BUILTIN_TEMPLATES,
  builtinCompiledTemplate,
  builtinTemplateNameForTrigger,
} from "./builtin/index.ts";
export { ANY_WEBHOOK, type CompiledTemplate, compileTemplateSpec } from "./compile.ts";
export { buildTemplateContext, type TemplateContext, type TemplateContextInput } from "./context.ts";
export { type FailedMetric, failedMetricsOf } from "./failed-metrics.ts";
export { checkGoTemplate, detectTemplateSyntax } from "./go-template/index.ts";
export { renderNotification } from "./render.ts";
export { TemplateError } from "./template-error.ts";
