#!/usr/bin/env node
// `image-policy`: the command line of image-policy-controller.
//
// Only what a command uses is loaded: each command's module is imported when it runs, so the
// offline commands (render, validate, crds, check-update) never load the Kubernetes client,
// metrics or logging libraries, and `--help` loads none of them. Keep this module's own imports to
// Node built-ins and small local modules (pkg/cli/startup.test.ts checks it).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { enableCompileCache } from "./compile-cache.ts";
import { EXIT_USAGE, processIO, UsageError, type CommandIO } from "./io.ts";

/** What a command's module provides: its help text and how it runs. */
interface CommandModule {
  help: string;
  run(args: string[], io: CommandIO): number | Promise<number>;
}

interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

const commands: Record<string, Command> = {
  render: {
    summary: "render node files and MachineConfigs from manifests, offline",
    load: async () => {
      const { renderHelp, runRender } = await import("./render.ts");
      return { help: renderHelp, run: runRender };
    },
  },
  crds: {
    summary: "print the CustomResourceDefinitions",
    load: async () => {
      const { crdsHelp, runCrds } = await import("./crds.ts");
      return { help: crdsHelp, run: runCrds };
    },
  },
  validate: {
    summary: "validate manifests offline, as the API server would",
    load: async () => {
      const { runValidate, validateHelp } = await import("./validate.ts");
      return { help: validateHelp, run: runValidate };
    },
  },
  verify: {
    summary: "would a node admit these images? (real registries and signatures)",
    load: async () => {
      const { runVerify, verifyHelp } = await import("./verify.ts");
      return { help: verifyHelp, run: runVerify };
    },
  },
  controller: {
    summary: "run the controllers against a cluster",
    load: async () => {
      const { controllerHelp, runController } = await import("./controller.ts");
      return { help: controllerHelp, run: runController };
    },
  },
  "check-update": {
    summary: "check a release-update pullspec against the update guard",
    load: async () => {
      const { checkUpdateHelp, runCheckUpdate } = await import("./check-update.ts");
      return { help: checkUpdateHelp, run: runCheckUpdate };
    },
  },
};

export const mainHelp = `Usage: image-policy COMMAND [OPTIONS]

Renders, delivers and checks container image signature policy (ClusterImagePolicy, ImagePolicy)
for the nodes of an OpenShift-style cluster.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`)
  .join("\n")}

Run \`image-policy COMMAND --help\` for a command's options.`;

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(mainHelp);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`image-policy: unknown command "${name}"\n\n${mainHelp}`);
    return EXIT_USAGE;
  }
  const loaded = await command.load();
  if (args.includes("--help") || args.includes("-h")) {
    io.out(loaded.help);
    return 0;
  }
  try {
    return await loaded.run(args, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      io.err(`image-policy ${name}: ${(error as Error).message}\n\n${loaded.help}`);
      return EXIT_USAGE;
    }
    // Anything else is still one line and exit 2, never a stack trace (IMAGE_POLICY_DEBUG=1 adds it).
    io.err(`image-policy ${name}: ${oneLine(error)}`);
    if (process.env.IMAGE_POLICY_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return EXIT_USAGE;
  }
}

/** An error as one line: its message's first line, without the stack. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split("\n")[0] ?? "";
  return first.length > 500 ? `${first.slice(0, 500)}…` : first;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  // Before any command's module is imported: their compiled code is then reused across runs.
  enableCompileCache();
  // A closed pipe (`image-policy crds | head`) is a normal way for a reader to stop.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`image-policy: ${oneLine(error)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
