#!/usr/bin/env node
// `image-policy`: the command line of image-policy-controller.
import { fileURLToPath } from "node:url";
import { realpathSync } from "node:fs";
import { checkUpdateHelp, runCheckUpdate } from "./check-update.ts";
import { controllerHelp, runController } from "./controller.ts";
import { crdsHelp, runCrds } from "./crds.ts";
import { EXIT_USAGE, processIO, UsageError, type CommandIO } from "./io.ts";
import { renderHelp, runRender } from "./render.ts";
import { runValidate, validateHelp } from "./validate.ts";
import { runVerify, verifyHelp } from "./verify.ts";

interface Command {
  summary: string;
  help: string;
  run(args: string[], io: CommandIO): number | Promise<number>;
}

const commands: Record<string, Command> = {
  render: {
    summary: "render node files and MachineConfigs from manifests, offline",
    help: renderHelp,
    run: runRender,
  },
  crds: { summary: "print the CustomResourceDefinitions", help: crdsHelp, run: runCrds },
  validate: {
    summary: "validate manifests offline, as the API server would",
    help: validateHelp,
    run: runValidate,
  },
  verify: {
    summary: "would a node admit these images? (real registries and signatures)",
    help: verifyHelp,
    run: runVerify,
  },
  controller: { summary: "run the controllers against a cluster", help: controllerHelp, run: runController },
  "check-update": {
    summary: "check a release-update pullspec against the update guard",
    help: checkUpdateHelp,
    run: runCheckUpdate,
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
  const command = commands[name];
  if (!command) {
    io.err(`image-policy: unknown command "${name}"\n\n${mainHelp}`);
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      io.err(`image-policy ${name}: ${(error as Error).message}\n\n${command.help}`);
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
