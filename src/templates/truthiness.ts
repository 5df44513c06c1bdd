// Go text/template truthiness for Handlebars templates, used by if/unless/with/and/or/not/default: false, 0, "", nil, and empty arrays AND empty maps are false. (Plain Handlebars treats {} as true; in
// Kubernetes objects an empty map such as `status.blueGreen: {}` means "unset", so Go's rule is the useful one.)

export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") {
    if (value instanceof Date) return true;
    const html = (value as { toHTML?: () => string }).toHTML;
    if (typeof html === "function") return html.call(value).length > 0;
    return Object.keys(value).length > 0;
  }
  return Boolean(value);
}
