/**
 * The `hub` CLI for engineers: builds the commander program and runs it, turning every failure into one
 * `error: …` block on stderr and an exit code scripts can use (exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { registerActions } from './commands/act';
import { registerDlq } from './commands/dlq';
import { registerDoctor } from './commands/doctor';
import { registerEscalate } from './commands/escalate';
import { registerPartners } from './commands/partners';
import { registerShow } from './commands/show';
import { registerToken } from './commands/token';
import { registerWait } from './commands/wait';
import { DEFAULT_HUB_URL, makeContext, processIO, type CliContext, type CliIO } from './context';
import { CliError } from './errors';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

const EPILOG = `
Environment:
  HUB_URL         the hub's base URL (default ${DEFAULT_HUB_URL})
  HUB_TOKEN       bearer token of an engineer or admin (locally: export HUB_TOKEN=$(npx hub token))
  HUB_JWT_SECRET  the key \`hub token\` signs with (default: the local runtime's development key)

${EXIT_CODES_HELP}

A flow:
  export HUB_TOKEN=$(npx hub token)
  id=$(npx hub escalate --file case.json --json | jq -r .escalationId)
  npx hub wait "$id" --status open --timeout 120 && npx hub show "$id"`;

export function buildProgram(io: CliIO): Command {
  const program = new Command('hub');
  program
    .description('Engineers\' command line for the partner escalation hub: flag a case to a partner, follow it, act on it.')
    .option('--json', 'print the hub\'s JSON answer only (for scripts)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', EPILOG);
  const ctx = (): CliContext => makeContext(io, program.opts().json === true);
  registerEscalate(program, ctx);
  registerShow(program, ctx);
  registerActions(program, ctx);
  registerWait(program, ctx);
  registerToken(program, ctx);
  registerDlq(program, ctx);
  registerPartners(program, ctx);
  registerDoctor(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (the words after `hub`) and answers the exit code; never throws. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help)
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    io.stderr.write(`error: ${err.message}\n`);
    for (const d of err.details) io.stderr.write(`  ${d}\n`);
    return err.exitCode;
  }
  io.stderr.write(`error: internal: ${err instanceof Error ? err.message : String(err)}\n`);
  if (io.env.HUB_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return EXIT.apiError;
}
