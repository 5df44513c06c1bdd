/** A template that cannot be compiled or rendered; names the template and the field. */
export class TemplateError extends Error {
  readonly template: string;
  readonly field: string | undefined;
  constructor(template: string, field: string | undefined, message: string, opts: { cause?: unknown } = {}) {
    super(`template "${template}"${field ? ` field "${field}"` : ""}: ${message}`, opts);
    this.name = "TemplateError";
    this.template = template;
    this.field = field;
  }
}
