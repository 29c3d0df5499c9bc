/**
 * `netmon` command line: `run` (the daemon), `check-config` (validate), `probe` (one target's probes once),
 * `report` (the monthly report as a PDF), `simulate` (the simulated network alone, or its history), `--version`. Every command answers `--help`; bad arguments get one plain line and exit code 2.
 */
import { resolve } from 'node:path';
import { DEFAULT_CONFIG } from './paths.js';
import { createLogger, LOG_LEVELS } from './log.js';
import { VERSION } from './version.js';
import { choiceOption, parseCommand, portOption, UsageError, type CommandSpec } from './cli-args.js';
import { didYouMean } from './config/suggest.js';
import { parseShard, type Shard } from './shard.js';

const CONFIG = { type: 'string', short: 'c' } as const;

const COMMANDS: Record<string, CommandSpec> = {
  run: {
    name: 'run',
    options: { config: CONFIG, port: { type: 'string', short: 'p' }, 'log-level': { type: 'string' }, shard: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    usage: `usage: netmon run [--config FILE] [--port N] [--log-level LEVEL] [--shard I/N]

Run the daemon: poll the targets, store the samples, serve the dashboard, the API and /metrics.

  -c, --config FILE      main config file (default: config/netmon.yaml of the installation)
  -p, --port N           HTTP port, instead of server.port
      --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default: $NETMON_LOG_LEVEL, else info)
      --shard I/N        poll only shard I (0-based) of N (overrides the config's cluster:)
  -h, --help             this help

Logs go to stderr: readable lines on a terminal, JSON lines otherwise (NETMON_LOG_FORMAT=json|pretty to choose).
SIGHUP reloads the config, SIGTERM and SIGINT stop cleanly.
`,
  },
  'check-config': {
    name: 'check-config',
    options: { config: CONFIG },
    positionals: { min: 0, max: 1 },
    usage: `usage: netmon check-config [FILE | --config FILE]

Validate a config (the main file, its includes and its web config) and summarise it; exit 1 on any problem.
Given an included file, checks the main file that includes it.

  -c, --config FILE  the file to check (default: config/netmon.yaml of the installation)
  -h, --help         this help
`,
  },
  backup: {
    name: 'backup',
    options: { config: CONFIG },
    positionals: { min: 1, max: 1 },
    usage: `usage: netmon backup FILE [--config FILE]

Copy the store and the alert database to FILE and FILE's .alerts.db, safely while the daemon runs
(SQLite online backup, then an integrity check). Restore: stop netmon, copy both files over
storage.path and its .alerts.db, start netmon.

  -c, --config FILE  main config file, whose storage.path is copied (default: config/netmon.yaml)
  -h, --help         this help
`,
  },
  report: {
    name: 'report',
    options: { config: CONFIG, month: { type: 'string' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' }, url: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    usage: `usage: netmon report --month YYYY-MM [--lang vi|en] [--out FILE] [--config FILE] [--url URL]

The monthly report (availability of every site, the uplinks' 95th percentile, heatmap and forecast) as
an A4 PDF, rendered by headless Chromium from the running daemon's report page.

      --month YYYY-MM    the calendar month, in server.timezone
      --lang vi|en       the report's language (default: server.language)
  -o, --out FILE         where to write the PDF (default: report-YYYY-MM.pdf)
      --url URL          the daemon's URL (default: from the config's server address and port)
  -c, --config FILE      main config file (default: config/netmon.yaml of the installation)
  -h, --help             this help
`,
  },
  simulate: {
    name: 'simulate',
    options: { config: CONFIG, backfill: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    usage: `usage: netmon simulate [--config FILE] [--backfill DAYS]

Without --backfill: run the config's simulated network alone (its SNMP agents and echo services) until Ctrl-C.
With --backfill DAYS (e.g. 35d): write DAYS of the simulated network's polls, up to now, into the config's
empty store (storage.path), through the daemon's own pipeline, then exit; start netmon afterwards.

      --backfill DAYS    days of history, 1 to 400 (e.g. 35 or 35d)
  -c, --config FILE      main config file (default: config/netmon.yaml of the installation)
  -h, --help             this help
`,
  },
  probe: {
    name: 'probe',
    options: { config: CONFIG, json: { type: 'boolean' } },
    positionals: { min: 1, max: 1 },
    usage: `usage: netmon probe TARGET [--config FILE] [--json]

Run one target's probes once, as the daemon would, and print its samples in Prometheus text form.

  -c, --config FILE  main config file (default: config/netmon.yaml of the installation)
      --json         print the results as JSON instead
  -h, --help         this help
`,
  },
};

const USAGE = `usage: netmon COMMAND [OPTIONS]

  netmon run [--config FILE] [--port N] [--shard I/N]        run the daemon
  netmon check-config [FILE | --config FILE]                  validate a config; exit 1 on any problem
  netmon probe TARGET [--config FILE] [--json]                run one target's probes once and print the samples
  netmon backup FILE [--config FILE]                          copy the databases safely while netmon runs
  netmon report --month YYYY-MM [--lang vi|en] [--out FILE]   the monthly report as a PDF, from the running daemon
  netmon simulate [--backfill DAYS] [--config FILE]          run the simulated network alone, or fill the store with its history
  netmon --version                                            print the version

'netmon COMMAND --help' tells more about each command.
`;

/** Start-up failures an admin can act on, said plainly. */
function startupHint(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string };
  if (e.code !== 'EADDRINUSE' && !/EADDRINUSE/.test(e.message ?? '')) return undefined;
  return 'the address is already in use: is netmon already running? (stop it with `systemctl stop netmon` or Ctrl-C in its terminal, or give this one another --port)';
}

function help(spec: CommandSpec): number {
  process.stdout.write(spec.usage);
  return 0;
}

async function run(args: string[]): Promise<number> {
  const spec = COMMANDS.run!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  const port = portOption('run', p.values.port);
  const level = choiceOption('run', '--log-level', p.values['log-level'] as string | undefined, LOG_LEVELS) ??
    choiceOption('run', 'NETMON_LOG_LEVEL', process.env.NETMON_LOG_LEVEL || undefined, LOG_LEVELS);
  const shardText = p.values.shard as string | undefined;
  let shard: Shard | undefined;
  try {
    shard = shardText === undefined ? undefined : parseShard(shardText);
  } catch (err) {
    throw new UsageError(`netmon run: ${(err as Error).message}`);
  }
  const log = createLogger(level ?? 'info');
  let daemon;
  try {
    // Loaded here, not at the top: `--help` and `--version` answer at once without loading the daemon.
    const { startDaemon } = await import('./daemon.js');
    daemon = await startDaemon({ configFile: resolve((p.values.config as string | undefined) ?? DEFAULT_CONFIG), log, port, shard });
  } catch (err) {
    const hint = startupHint(err);
    if (!hint) throw err;
    throw new Error(`${(err as Error).message}\n${hint}`, { cause: err });
  }
  process.stdout.write(`netmon is running. Dashboard: ${daemon.url}  Metrics: ${daemon.url}metrics\n`);
  const running = daemon;
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, 'shutdown requested');
    // Never hang: a clean stop takes well under a second; give up after 5 s.
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    running.stop().then(
      // Everything is closed; exit rather than wait for stray timers of libraries.
      () => log.flush(() => process.exit(0)),
      (err) => {
        log.error({ err: String(err) }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => running.reload('signal'));
  return -1; // keep running
}

async function check(args: string[]): Promise<number> {
  const spec = COMMANDS['check-config']!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  // FILE or --config FILE: admins type the flag the other two commands take.
  if (p.positionals.length && p.values.config !== undefined) throw new UsageError('netmon check-config: give the file once, as FILE or as --config FILE');
  const file = resolve((p.values.config as string | undefined) ?? p.positionals[0] ?? DEFAULT_CONFIG);
  const { checkConfig } = await import('./config/check.js');
  const result = checkConfig(file);
  (result.ok ? process.stdout : process.stderr).write(result.text.endsWith('\n') ? result.text : result.text + '\n');
  return result.ok ? 0 : 1;
}

async function probe(args: string[]): Promise<number> {
  const spec = COMMANDS.probe!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  const { probeOnce } = await import('./probe-once.js');
  return probeOnce({ configFile: resolve((p.values.config as string | undefined) ?? DEFAULT_CONFIG), target: p.positionals[0]!, json: p.values.json === true });
}

async function report(args: string[]): Promise<number> {
  const spec = COMMANDS.report!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  const month = p.values.month as string | undefined;
  if (!month || !/^\d{4}-\d{2}$/.test(month)) throw new UsageError('netmon report: --month YYYY-MM is required, e.g. --month 2026-11');
  const lang = choiceOption('report', '--lang', p.values.lang as string | undefined, ['vi', 'en'] as const);
  const url = p.values.url as string | undefined;
  const { reportCommand } = await import('./reports/command.js');
  return reportCommand({
    configFile: resolve((p.values.config as string | undefined) ?? DEFAULT_CONFIG),
    month,
    out: (p.values.out as string | undefined) ?? `report-${month}.pdf`,
    ...(lang ? { lang } : {}),
    ...(url ? { url } : {}),
  });
}

async function simulate(args: string[]): Promise<number> {
  const spec = COMMANDS.simulate!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  const text = p.values.backfill as string | undefined;
  const days = text === undefined ? undefined : /^\d+d?$/.test(text) ? parseInt(text, 10) : NaN;
  if (days !== undefined && !(days >= 1 && days <= 400)) throw new UsageError(`netmon simulate: --backfill expects a number of days from 1 to 400 (e.g. 35d), got ${JSON.stringify(text)}`);
  const { simulateCommand } = await import('./simulator/command.js');
  return simulateCommand({ configFile: resolve((p.values.config as string | undefined) ?? DEFAULT_CONFIG), ...(days !== undefined ? { backfillDays: days } : {}) });
}

async function backupCommand(args: string[]): Promise<number> {
  const spec = COMMANDS.backup!;
  const p = parseCommand(spec, args);
  if (p.help) return help(spec);
  const { backup } = await import('./backup.js');
  const lines = await backup({ configFile: resolve((p.values.config as string | undefined) ?? DEFAULT_CONFIG), dest: p.positionals[0]! });
  process.stdout.write(lines.map((l) => `backup: ${l}\n`).join(''));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'check-config':
      return check(rest);
    case 'probe':
      return probe(rest);
    case 'backup':
      return backupCommand(rest);
    case 'report':
      return report(rest);
    case 'simulate':
      return simulate(rest);
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`netmon ${VERSION}\n`);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    case '-h':
    case '--help':
    case 'help': {
      const about = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
      process.stdout.write(about?.usage ?? USAGE);
      return 0;
    }
    default:
      throw new UsageError(`netmon: unknown command ${JSON.stringify(command)}${didYouMean(command, [...Object.keys(COMMANDS), 'help', '--version'])}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const command = process.argv[2];
      const more = command && COMMANDS[command] ? `netmon ${command} --help` : 'netmon --help';
      process.stderr.write(`${err.message}\n(see '${more}')\n`);
      process.exitCode = 2;
      return;
    }
    const e = err as { format?: () => string; message?: string };
    process.stderr.write(`netmon: ${e.format?.() ?? e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
