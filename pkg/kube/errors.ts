// Errors from the Kubernetes API as values a controller can branch on: the HTTP status code and the
// Status object's reason ("NotFound", "Conflict", "AlreadyExists", "Expired", "Invalid", …), as
// k8s.io/apimachinery/pkg/api/errors exposes them to Go controllers. Transport failures (connection
// refused, reset, TLS) are not KubeApiErrors: they keep Node's own error (with its `code`).

/** metav1.StatusCause */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status, the body of every failed request and of watch ERROR events. */
export interface Status {
  kind?: "Status";
  apiVersion?: string;
  status?: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export class KubeApiError extends Error {
  /** HTTP status code (for a watch ERROR event: the Status's code). */
  readonly statusCode: number;
  /** metav1.StatusReason, e.g. "NotFound"; "" when the server gave none. */
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  /** "GET /apis/…", for logs. */
  readonly request: string;

  constructor(statusCode: number, reason: string, message: string, request: string, details?: StatusDetails) {
    super(message || `${request}: HTTP ${statusCode}${reason ? ` ${reason}` : ""}`);
    this.name = "KubeApiError";
    this.statusCode = statusCode;
    this.reason = reason;
    this.details = details;
    this.request = request;
  }

  static fromStatus(status: Status, fallbackCode: number, request: string): KubeApiError {
    return new KubeApiError(
      status.code ?? fallbackCode,
      status.reason ?? "",
      status.message ?? "",
      request,
      status.details,
    );
  }

  /** From a failed response: the Status body when there is one, else the body text. */
  static fromResponse(statusCode: number, body: string, request: string): KubeApiError {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (isStatus(parsed)) return KubeApiError.fromStatus(parsed, statusCode, request);
    const text = body.trim().slice(0, 500);
    return new KubeApiError(
      statusCode,
      "",
      `${request}: HTTP ${statusCode}${text ? `: ${text}` : ""}`,
      request,
    );
  }
}

export function isStatus(value: unknown): value is Status {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Status";
}

function apiError(error: unknown): KubeApiError | undefined {
  return error instanceof KubeApiError ? error : undefined;
}

export function isNotFound(error: unknown): boolean {
  return apiError(error)?.statusCode === 404;
}

/**
 * A 404 that says the resource type itself is not served (no CRD for it), rather than that the
 * named object does not exist: the API server names a missing object in the Status details.
 */
export function isMissingResourceType(error: unknown, name: string): boolean {
  const e = apiError(error);
  return e?.statusCode === 404 && e.details?.name !== name;
}

/** 409 Conflict: a stale resourceVersion (optimistic concurrency) or a server-side apply conflict. */
export function isConflict(error: unknown): boolean {
  const e = apiError(error);
  return e?.statusCode === 409 && e.reason !== "AlreadyExists";
}

export function isAlreadyExists(error: unknown): boolean {
  const e = apiError(error);
  return e?.statusCode === 409 && e.reason === "AlreadyExists";
}

/** 410 Gone / reason Expired: the resourceVersion is too old (compacted); relist. */
export function isGone(error: unknown): boolean {
  const e = apiError(error);
  return e?.statusCode === 410 || e?.reason === "Expired" || e?.reason === "Gone";
}

export function isInvalid(error: unknown): boolean {
  return apiError(error)?.statusCode === 422;
}

export function isTooManyRequests(error: unknown): boolean {
  return apiError(error)?.statusCode === 429;
}

export function isForbidden(error: unknown): boolean {
  return apiError(error)?.statusCode === 403;
}
