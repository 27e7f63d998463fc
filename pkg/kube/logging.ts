// Structured JSON logs, one object per line on stderr (as controller-runtime's zap logger writes):
//   {"timestamp":"…","level":"info","msg":"reconciled","controller":"imagepolicy",
//    "object":{"kind":"ClusterImagePolicy","name":"p"},"reconcileID":"…","durationMs":12}
// Code in pkg/kube and the controllers depends on the small Logger interface, not on winston, so
// tests can capture lines (testing/memory-logger.ts) or discard them.
import winston from "winston";
import type { KubeObject } from "../apis/meta.ts";

export type LogLevel = "error" | "warn" | "info" | "debug";
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. {controller}, then {reconcileID, object}). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Lowest level written; default "info". */
  level?: LogLevel;
  /** Where lines go; default process.stderr. */
  stream?: NodeJS.WritableStream;
  /** Fields on every line. */
  fields?: LogFields;
}

/** The `object` field of a log line: which API object a line is about. */
export interface ObjectRefFields {
  kind?: string;
  namespace?: string;
  name?: string;
}

export function objectRef(object: Pick<KubeObject, "metadata"> & { kind?: string }): ObjectRefFields {
  const ref: ObjectRefFields = {};
  if (object.kind) ref.kind = object.kind;
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  if (object.metadata.name) ref.name = object.metadata.name;
  return ref;
}

/**
 * Errors as JSON (JSON.stringify(new Error("x")) is "{}"), with Kubernetes API errors' statusCode
 * and reason and Node's error code ("ECONNREFUSED"). Duck-typed: errors from another realm (a vm
 * context, Jest) are not `instanceof Error`.
 */
export function errorFields(error: unknown): LogFields {
  if (typeof error !== "object" || error === null || typeof (error as Error).message !== "string") {
    return { message: String(error) };
  }
  const e = error as Error & Record<string, unknown>;
  const fields: LogFields = { name: e.name, message: e.message };
  for (const key of ["statusCode", "reason", "code"]) {
    if (e[key] !== undefined) fields[key] = e[key];
  }
  if (e.cause !== undefined) fields.cause = errorFields(e.cause);
  return fields;
}

function isError(value: unknown): boolean {
  return (
    value instanceof Error ||
    (typeof value === "object" && value !== null && "stack" in value && "message" in value)
  );
}

function normalise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = isError(value) ? errorFields(value) : value;
  }
  return out;
}

// timestamp, level and msg first, then the fields in the order they were given (winston's json()
// format sorts keys, which buries msg in the middle of a line).
const lineFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  const line = { timestamp, level, msg: message, ...fields };
  try {
    return JSON.stringify(line);
  } catch {
    // A circular or BigInt field: keep the line, drop the fields.
    return JSON.stringify({ timestamp, level, msg: message, fieldsError: "fields not serialisable" });
  }
});

class WinstonLogger implements Logger {
  readonly #logger: winston.Logger;
  constructor(logger: winston.Logger) {
    this.#logger = logger;
  }
  error(msg: string, fields?: LogFields): void {
    this.#logger.log("error", msg, normalise(fields));
  }
  warn(msg: string, fields?: LogFields): void {
    this.#logger.log("warn", msg, normalise(fields));
  }
  info(msg: string, fields?: LogFields): void {
    this.#logger.log("info", msg, normalise(fields));
  }
  debug(msg: string, fields?: LogFields): void {
    if (this.#logger.isDebugEnabled()) this.#logger.log("debug", msg, normalise(fields));
  }
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.#logger.child(normalise(fields)));
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = winston.createLogger({
    level: options.level ?? "info",
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(winston.format.timestamp(), lineFormat),
    defaultMeta: normalise(options.fields),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return new WinstonLogger(logger);
}

/** A logger that writes nothing (the default of every pkg/kube component that takes a logger). */
export const discardLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return discardLogger;
  },
};
