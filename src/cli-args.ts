/**
 * Argument parsing for `netmon`: node:util parseArgs with plain messages instead of Node's raw ones
 * ("Unknown option '--help'. To specify a positional argument starting with a '-' ..."), `--help` on every
 * command, and value checks (`--port abc`) that say what was expected and what was given.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from './config/suggest.js';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  name: string;
  usage: string;
  options: Options;
  /** How many positionals are allowed. */
  positionals: { min: number; max: number };
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

const HELP: Options = { help: { type: 'boolean', short: 'h' } };

export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  const options = { ...spec.options, ...HELP };
  let r: { values: Record<string, unknown>; positionals: string[] };
  try {
    r = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(plainMessage(err, spec, options));
  }
  const values = r.values as Record<string, string | boolean | undefined>;
  if (values.help) return { values, positionals: r.positionals, help: true };
  const n = r.positionals.length;
  if (n < spec.positionals.min || n > spec.positionals.max) {
    const what = n < spec.positionals.min ? 'missing argument' : `unexpected argument ${JSON.stringify(r.positionals[spec.positionals.max])}`;
    throw new UsageError(`netmon ${spec.name}: ${what}`);
  }
  return { values, positionals: r.positionals, help: false };
}

function plainMessage(err: unknown, spec: CommandSpec, options: Options): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(e.message ?? '')?.[1] ?? '';
  // Node names the option as `-c, --config <value>`: the long form is what admins read in --help.
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
  const known = Object.keys(options).map((k) => `--${k}`);
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `netmon ${spec.name}: unknown option ${option}${didYouMean(option, known, '')}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `netmon ${spec.name}: ${option} ${/does not take/.test(e.message ?? '') ? 'takes no value' : 'needs a value'}`;
    default:
      return `netmon ${spec.name}: ${e.message ?? String(err)}`;
  }
}

/** `--port`: an integer from 1 to 65535 (0: any free port, for tests and scripts). */
export function portOption(command: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`netmon ${command}: --port expects a port number from 1 to 65535, got ${JSON.stringify(s)}`);
  return n;
}

export function choiceOption<T extends string>(command: string, flag: string, v: string | undefined, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if ((choices as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`netmon ${command}: ${flag} expects one of ${choices.join(', ')}, got ${JSON.stringify(v)}${didYouMean(v, choices)}`);
}
