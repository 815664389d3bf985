// The shape every CLI command has: a name, a help text, and a run function returning an exit code.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: string[], io: Io): Promise<number>;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (progress lines redraw in place). */
  readonly tty: boolean;
}

export interface ParsedArgs {
  /** String options by name (boolean flags appear in `flags`). */
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly flags: Readonly<Record<string, boolean | undefined>>;
  readonly positionals: string[];
}

/** parseArgs with our error type, so a bad flag is a one-line usage error (exit 2). */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, command: string): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message} (see kerasrt ${command} --help)`);
  }
  const values: Record<string, string | undefined> = {};
  const flags: Record<string, boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') values[k] = v;
    else if (typeof v === 'boolean') flags[k] = v;
  }
  return { values, flags, positionals: parsed.positionals };
}
