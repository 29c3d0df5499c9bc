/**
 * `netmon` command line: `run` (the daemon), `check-config` (validate), `probe` (one target's probes once),
 * `report` (the monthly report as a PDF).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG } from './paths.js';
import { createLogger } from './log.js';
import { startDaemon } from './daemon.js';
import { checkConfig } from './config/check.js';
import { probeOnce } from './probe-once.js';
import { reportCommand } from './reports/command.js';

const USAGE = `usage:
  netmon run [--config FILE] [--port N]      run the daemon (default config: config/netmon.yaml)
  netmon check-config [FILE | --config FILE] validate a config; exit 1 on any problem
  netmon probe TARGET [--config FILE] [--json]
                                             run one target's probes once and print the samples
  netmon report --month YYYY-MM [--lang vi|en] [--out FILE] [--config FILE] [--url URL]
                                             the monthly report as a PDF, from the running daemon
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, port: { type: 'string' } } });
      const log = createLogger();
      const daemon = await startDaemon({
        configFile: resolve(values.config ?? DEFAULT_CONFIG),
        log,
        port: values.port === undefined ? undefined : Number(values.port),
      });
      process.stdout.write(`netmon is running. Dashboard: ${daemon.url}  Metrics: ${daemon.url}metrics\n`);
      let exiting = false;
      const shutdown = (signal: string) => {
        if (exiting) return;
        exiting = true;
        log.info({ signal }, 'shutdown requested');
        // Never hang: a clean stop takes well under a second; give up after 5 s.
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        daemon.stop().then(
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
      process.on('SIGHUP', () => daemon.reload('signal'));
      return -1; // keep running
    }
    case 'check-config': {
      // FILE or --config FILE: admins type the flag the other two commands take.
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
      if (positionals.length + (values.config === undefined ? 0 : 1) > 1) {
        process.stderr.write(USAGE);
        return 2;
      }
      const file = resolve(values.config ?? positionals[0] ?? DEFAULT_CONFIG);
      const result = checkConfig(file);
      (result.ok ? process.stdout : process.stderr).write(result.text.endsWith('\n') ? result.text : result.text + '\n');
      return result.ok ? 0 : 1;
    }
    case 'probe': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } },
      });
      if (positionals.length !== 1) {
        process.stderr.write(USAGE);
        return 2;
      }
      return probeOnce({ configFile: resolve(values.config ?? DEFAULT_CONFIG), target: positionals[0]!, json: values.json ?? false });
    }
    case 'report': {
      const { values } = parseArgs({
        args: rest,
        options: { config: { type: 'string', short: 'c' }, month: { type: 'string' }, lang: { type: 'string' }, out: { type: 'string', short: 'o' }, url: { type: 'string' } },
      });
      if (!values.month || (values.lang !== undefined && values.lang !== 'vi' && values.lang !== 'en')) {
        process.stderr.write(USAGE);
        return 2;
      }
      return reportCommand({
        configFile: resolve(values.config ?? DEFAULT_CONFIG),
        month: values.month,
        out: values.out ?? `report-${values.month}.pdf`,
        ...(values.lang ? { lang: values.lang } : {}),
        ...(values.url ? { url: values.url } : {}),
      });
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { format?: () => string; message?: string };
    process.stderr.write(`netmon: ${e.format?.() ?? e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
