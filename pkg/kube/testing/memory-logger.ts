// A Logger that keeps its lines, for tests that assert what was logged.
import type { LogFields, Logger, LogLevel } from "../logging.ts";

export interface LogLine {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

export class MemoryLogger implements Logger {
  readonly lines: LogLine[];
  readonly #fields: LogFields;

  constructor(lines: LogLine[] = [], fields: LogFields = {}) {
    this.lines = lines;
    this.#fields = fields;
  }

  error(msg: string, fields?: LogFields): void {
    this.#push("error", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#push("warn", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#push("info", msg, fields);
  }
  debug(msg: string, fields?: LogFields): void {
    this.#push("debug", msg, fields);
  }
  child(fields: LogFields): Logger {
    return new MemoryLogger(this.lines, { ...this.#fields, ...fields });
  }

  messages(level?: LogLevel): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.msg);
  }

  #push(level: LogLevel, msg: string, fields?: LogFields): void {
    this.lines.push({ level, msg, fields: { ...this.#fields, ...fields } });
  }
}
