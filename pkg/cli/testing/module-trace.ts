// Preload (`node --import ./pkg/cli/testing/module-trace.ts …`) to record every module the process
// loads, ES modules and CommonJS alike (Node's in-thread module hooks see both), and write their
// URLs, one a line, to the file named by MODULE_TRACE_FILE when the process exits.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const file = process.env.MODULE_TRACE_FILE;
const loaded = new Set<string>();

if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      loaded.add(url);
      return nextLoad(url, context);
    },
  });
  process.on("exit", () => writeFileSync(file, [...loaded].map((url) => `${url}\n`).join("")));
}

/** The npm package a module URL belongs to (`@scope/name` or `name`), or undefined for others. */
export function packageOf(url: string): string | undefined {
  return /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
}
