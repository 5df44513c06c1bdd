// `kind: Status` failures shaped like the real API server's (k8s.io/apimachinery/pkg/api/errors).
import type { ServedResource } from "./resources.ts";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** Thrown by the store and the programmatic API; the HTTP layer answers with `status`. */
export class KubeStatusError extends Error {
  readonly status: StatusObject;
  constructor(status: StatusObject) {
    super(status.message);
    this.name = "KubeStatusError";
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason;
  }
}

const REASON_BY_CODE: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export function statusFailure(
  code: number,
  message: string,
  reason?: string,
  details?: StatusObject["details"],
): StatusObject {
  const s: StatusObject = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: reason ?? REASON_BY_CODE[code] ?? "",
    code,
  };
  if (details) s.details = details;
  return s;
}

/** "rollouts.argoproj.io" / "configmaps": how the real server names a resource in messages. */
export function qualifiedResource(r: ServedResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function detailsOf(r: ServedResource, name: string): NonNullable<StatusObject["details"]> {
  return r.group ? { name, group: r.group, kind: r.plural } : { name, kind: r.plural };
}

export function notFound(r: ServedResource, name: string): KubeStatusError {
  return new KubeStatusError(
    statusFailure(404, `${qualifiedResource(r)} "${name}" not found`, "NotFound", detailsOf(r, name)),
  );
}

export function namespaceNotFound(namespace: string): KubeStatusError {
  return new KubeStatusError(
    statusFailure(404, `namespaces "${namespace}" not found`, "NotFound", {
      name: namespace,
      kind: "namespaces",
    }),
  );
}

export function alreadyExists(r: ServedResource, name: string): KubeStatusError {
  return new KubeStatusError(
    statusFailure(
      409,
      `${qualifiedResource(r)} "${name}" already exists`,
      "AlreadyExists",
      detailsOf(r, name),
    ),
  );
}

export function conflict(r: ServedResource, name: string): KubeStatusError {
  return new KubeStatusError(
    statusFailure(
      409,
      `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      "Conflict",
      detailsOf(r, name),
    ),
  );
}

export function invalid(r: ServedResource, name: string, causes: StatusCause[]): KubeStatusError {
  const kind = r.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return new KubeStatusError(
    statusFailure(422, `${kind} "${name}" is invalid: ${list}`, "Invalid", {
      name,
      ...(r.group ? { group: r.group } : {}),
      kind,
      causes: causes.map((c) => ({
        reason: c.reason ?? "FieldValueInvalid",
        message: c.message,
        field: c.field,
      })),
    }),
  );
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(statusFailure(400, message, "BadRequest"));
}

export function expired(message: string): KubeStatusError {
  return new KubeStatusError(statusFailure(410, message, "Expired"));
}

export function pathNotFound(): KubeStatusError {
  return new KubeStatusError(
    statusFailure(404, "the server could not find the requested resource", "NotFound", {}),
  );
}

export function methodNotAllowed(): KubeStatusError {
  return new KubeStatusError(
    statusFailure(
      405,
      "the server does not allow this method on the requested resource",
      "MethodNotAllowed",
      {},
    ),
  );
}

export function unsupportedMediaType(contentType: string, accepted: string[]): KubeStatusError {
  return new KubeStatusError(
    statusFailure(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      "UnsupportedMediaType",
      { causes: [{ reason: "UnexpectedServerResponse", message: contentType }] },
    ),
  );
}

/** The failure a fault hook injects for a given HTTP code. */
export function injectedFailure(code: number): StatusObject {
  return statusFailure(code, `injected failure (test fault hook): HTTP ${code}`);
}
