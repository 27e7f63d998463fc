// A CommandIO that keeps what a command prints, for tests that run commands in-process.
import type { CommandIO } from "../io.ts";

export function capture(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
