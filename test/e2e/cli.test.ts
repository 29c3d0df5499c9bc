/** The `netmon` command line as an admin uses it: the compiled CLI in a child process. */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
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
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('usage:');
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

  it('names the known targets when asked for an unknown one', () => {
    const r = netmon('probe', 'no-such-switch', '--config', cfg.file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no target named no-such-switch .*127 targets, e\.g\. dc-core/);
  });
});
