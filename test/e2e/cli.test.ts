/** The `netmon` command line as an admin uses it: the compiled CLI in a child process. */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { makeRefnetConfig } from '../kit/refnet.js';

const cfg = makeRefnetConfig();
afterAll(() => cfg.cleanup());

function netmon(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'netmon.js'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: cfg.dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `netmon run` until it exits by itself (a start-up failure), killed after a deadline. */
function runUntilExit(args: string[], deadlineMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'netmon.js'), 'run', ...args], { cwd: cfg.dir, env: { ...process.env, NETMON_LOG_FORMAT: 'json' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('netmon --help, --version and bad arguments', () => {
  it('answers --help on every command and prints the version', () => {
    for (const command of ['run', 'check-config', 'probe']) {
      const r = netmon(command, '--help');
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(new RegExp(`^usage: netmon ${command} `));
      expect(r.stderr, command).toBe('');
    }
    expect(netmon('--help').stdout).toContain("'netmon COMMAND --help' tells more about each command.");
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(netmon('--version')).toEqual({ code: 0, stdout: `netmon ${version}\n`, stderr: '' });
  });

  it('says plainly what is wrong with an argument, exit 2', () => {
    expect(netmon('run', '--port', 'abc')).toEqual({ code: 2, stdout: '', stderr: 'netmon run: --port expects a port number from 1 to 65535, got "abc"\n(see \'netmon run --help\')\n' });
    expect(netmon('run', '--port', '70000').stderr).toMatch(/^netmon run: --port expects a port number from 1 to 65535, got "70000"\n/);
    expect(netmon('run', '--log-level', 'verbose').stderr).toMatch(/^netmon run: --log-level expects one of fatal, error, warn, info, debug, trace, silent, got "verbose"\n/);
    expect(netmon('probe', 'dc-core', '--jsn').stderr).toBe("netmon probe: unknown option --jsn, did you mean --json?\n(see 'netmon probe --help')\n");
    expect(netmon('probe').stderr).toBe("netmon probe: missing argument\n(see 'netmon probe --help')\n");
    expect(netmon('run', '--config').stderr).toBe("netmon run: --config needs a value\n(see 'netmon run --help')\n");
    expect(netmon('chek-config')).toEqual({ code: 2, stdout: '', stderr: 'netmon: unknown command "chek-config", did you mean "check-config"?\n(see \'netmon --help\')\n' });
  });
});

describe('netmon run when the address is taken', () => {
  it('asks whether netmon is already running when the HTTP port is in use', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const file = join(cfg.dir, 'plain.yaml');
    writeFileSync(file, 'storage: { path: plain.db }\nsites: [{ id: s, name: S, group: ward }]\ntargets: [{ name: t, address: 127.0.0.1, site: s, role: server, host: {} }]\n');
    try {
      const r = await runUntilExit(['--config', file, '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`listen EADDRINUSE: address already in use 127.0.0.1:${port}\nthe address is already in use: is netmon already running?`);
    } finally {
      server.close();
    }
  });

  it('asks the same when a simulated agent address is taken', async () => {
    const socket = createSocket('udp4');
    const address = `127.${cfg.block}.0.1`;
    await new Promise<void>((r) => socket.bind(1161, address, r));
    try {
      const r = await runUntilExit(['--config', cfg.file, '--port', '0']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/simulator: cannot bind [\d.]+:1161: bind EADDRINUSE .*\nthe address is already in use: is netmon already running\?/);
    } finally {
      socket.close();
    }
  });
});

describe('netmon check-config', () => {
  it('accepts the shipped config and summarises it', () => {
    const r = netmon('check-config', cfg.file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/config OK: 1 main file \+ 4 included, 127 targets, 118 sites, 2 uplinks/);
  });

  it('takes the file as --config too, like run and probe, and refuses two files', () => {
    const r = netmon('check-config', '--config', cfg.file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/config OK: 1 main file \+ 4 included/);
    const two = netmon('check-config', cfg.file, '--config', cfg.file);
    expect(two).toEqual({ code: 2, stdout: '', stderr: "netmon check-config: give the file once, as FILE or as --config FILE\n(see 'netmon check-config --help')\n" });
  });

  it('checks the main file when given an included one, and says so', () => {
    const r = netmon('check-config', join(cfg.dir, 'targets', 'wards.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${join(cfg.dir, 'targets', 'wards.yaml').replace(cfg.dir + '/', '')} is included by netmon.yaml: checking netmon.yaml, the file to give netmon\n` +
        'config OK: 1 main file + 4 included, 127 targets, 118 sites, 2 uplinks, 2 credentials\n',
    );
  });

  it('rejects a broken include with file, line, field and suggestion, exit 1', () => {
    const bad = join(cfg.dir, 'targets', 'zz-bad.yaml');
    writeFileSync(bad, ['targets:', '  - name: extra', '    address: 127.0.0.9', '    site: phuong-an-cuu', '    role: fibre', '    snmp: { credentail: sim }', ''].join('\n'));
    try {
      const r = netmon('check-config', cfg.file);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('targets/zz-bad.yaml:6:13: targets[0].snmp: unknown key "credentail", did you mean "credential"?');
      expect(r.stdout).toBe('');
    } finally {
      rmSync(bad);
    }
  });

  it('never prints a community, even when the config is broken', () => {
    const secret = 'S3cret-Community-xyz';
    const file = join(cfg.dir, 'secret.yaml');
    writeFileSync(file, `credentials:\n  c:\n    version: "2c"\n    community: ${secret}\n    comunity: ${secret}\ntargets: 7\n`);
    const r = netmon('check-config', file);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).not.toContain(secret);
  });
});

describe('netmon probe', () => {
  it('polls dc-core once over SNMPv3 from the simulator and prints the samples', () => {
    const r = netmon('probe', 'dc-core', '--config', cfg.file, '--json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { target: string; results: { probe: string; ok: boolean; samples: { metric: string; labels: Record<string, string> }[] }[] };
    expect(out.target).toBe('dc-core');
    const snmp = out.results.find((x) => x.probe === 'snmp')!;
    expect(snmp.ok).toBe(true);
    const ports = snmp.samples.filter((s) => s.metric === 'netmon_interface_receive_bytes_total').map((s) => s.labels.if_name);
    expect(ports).toEqual(expect.arrayContaining(['Gi0/1', 'Gi0/2']));
  });

  it('names the known targets when asked for an unknown one, and the one meant', () => {
    const r = netmon('probe', 'no-such-switch', '--config', cfg.file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no target named no-such-switch .*127 targets, e\.g\. dc-core/);
    expect(netmon('probe', 'dc-cor', '--config', cfg.file).stderr).toBe(
      `no target named dc-cor in ${cfg.file}; did you mean dc-core? (127 targets, e.g. dc-core, wan-agg, srv-portal-web, srv-portal-db, srv-mot-cua)\n`,
    );
  });

  it('prints rounded numbers, no float noise, as valid exposition', () => {
    const r = netmon('probe', 'dc-core', '--config', cfg.file);
    expect(r.code).toBe(0);
    const values = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(l.lastIndexOf(' ') + 1));
    expect(values.length).toBeGreaterThan(20);
    for (const v of values) {
      expect(v, v).toMatch(/^(-?\d+(\.\d+)?(e[-+]\d+)?|NaN|[+-]Inf)$/);
      if (v.includes('.')) expect(v.replace(/^-?0\.0*/, '').replace('.', '').replace(/e.*/, '').length, v).toBeLessThanOrEqual(12);
    }
  });
});
