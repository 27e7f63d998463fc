// The one error type of the registry client. Every failure (HTTP status, network, timeout, digest or
// size check, unparsable response) is a RegistryError whose `reason` says which, so callers such as the
// verifier can tell "no signature exists" (MANIFEST_UNKNOWN) from "the registry is down".

/** One entry of the distribution spec's error body: `{"errors": [{"code", "message", "detail"}]}`. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
  detail?: unknown;
}

export type RegistryErrorReason =
  /** The registry answered with an unexpected HTTP status; see `status` and `codes`. */
  | "http-status"
  /** Authentication failed: no usable credentials, or the token server refused them. */
  | "unauthorized"
  /** The registry or token server could not be reached (DNS, refused connection, TLS, reset). */
  | "unreachable"
  /** No complete answer within the request's time limit. */
  | "timeout"
  /** The caller's AbortSignal ended the operation. */
  | "cancelled"
  /** The bytes received do not match the digest asked for or announced (Docker-Content-Digest). */
  | "digest-mismatch"
  /** A body is larger than the caller's limit, or its size differs from the expected size. */
  | "size-limit"
  /** The registry's answer is malformed (bad JSON, unsupported media type, invalid manifest). */
  | "bad-response";

export interface RegistryErrorOptions {
  reason: RegistryErrorReason;
  /** host[:port] of the registry, as the caller named it. */
  registry?: string;
  /** The URL of the failing request, without credentials. */
  url?: string;
  /** HTTP status, when the registry answered. */
  status?: number;
  errors?: RegistryErrorDetail[];
  cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = "RegistryError";
  readonly reason: RegistryErrorReason;
  readonly registry: string | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;
  /** The distribution error entries of the response body, if it had any. */
  readonly errors: readonly RegistryErrorDetail[];

  constructor(message: string, options: RegistryErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.registry = options.registry;
    this.url = options.url;
    this.status = options.status;
    this.errors = options.errors ?? [];
  }

  /** The distribution error codes of the response (MANIFEST_UNKNOWN, NAME_UNKNOWN, UNAUTHORIZED, …). */
  get codes(): string[] {
    return this.errors.map((e) => e.code);
  }
}

/**
 * True when the error says the manifest does not exist: a 404, or MANIFEST_UNKNOWN / NAME_UNKNOWN in the
 * body. containers/image treats exactly these as "no sigstore attachments" (docker/docker_client.go
 * getSigstoreAttachmentManifest); anything else is a hard error.
 */
export function isManifestUnknown(error: unknown): boolean {
  if (!(error instanceof RegistryError) || error.reason !== "http-status") return false;
  return (
    error.status === 404 || error.codes.some((code) => code === "MANIFEST_UNKNOWN" || code === "NAME_UNKNOWN")
  );
}

/** Parses a distribution error body; [] when the body is not one. */
export function parseErrorBody(body: Uint8Array): RegistryErrorDetail[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null) return [];
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  const details: RegistryErrorDetail[] = [];
  for (const entry of errors as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const { code, message, detail } = entry as Record<string, unknown>;
    if (typeof code !== "string") continue;
    details.push({
      code,
      message: typeof message === "string" ? message : "",
      ...(detail === undefined ? {} : { detail }),
    });
  }
  return details;
}

export function errorText(error: unknown): string {
  const message =
    typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : String(error);
}
