// kerasrt command-line entry: dispatches to a command; every failure is one clear line and a non-zero exit.
// Exit codes: 0 ok, 1 the model or input was refused (typed kerasrt error), 2 usage error, 3 internal error.

import { KerasrtError, UsageError } from '../core/errors.js';
import type { Command, Io } from './command.js';
import { benchCommand } from './bench.js';
import { convertCommand } from './convert.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';
import { trainCommand } from './train.js';

const COMMANDS: readonly Command[] = [inspectCommand, runCommand, convertCommand, benchCommand, trainCommand];

function usage(): string {
  return [
    'kerasrt: run trained Keras / TensorFlow models in real time',
    '',
    'usage: kerasrt <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'kerasrt <command> --help shows the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out('kerasrt 0.1.0');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`kerasrt: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see kerasrt --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kerasrt ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof KerasrtError) {
      io.err(`kerasrt ${name}: ${e.name}: ${e.message}`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && err.code.startsWith('E') && err.path) {
      io.err(`kerasrt ${name}: cannot read ${err.path}: ${err.code}`);
      return 1;
    }
    io.err(`kerasrt ${name}: internal error: ${err?.stack ?? String(e)}`);
    return 3;
  }
}

function defaultIo(): Io {
  return {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    tty: Boolean(process.stdout.isTTY),
  };
}
