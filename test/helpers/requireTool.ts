/**
 * Gate for tests that need root, binaries or network namespaces. Missing → skip with a LOUD warning;
 * in CI (`CI=true`) missing → throw, so the test file fails instead of silently passing.
 *
 *   const ok = requireTool({ root: true, commands: ['fping', 'ip', 'nft'], netns: true }, 'ICMP netns tests');
 *   describe.runIf(ok)('...', () => { ... });
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolNeeds {
  root?: boolean;
  /** Executables looked up on PATH (plus /usr/sbin, /sbin). */
  commands?: string[];
  /** Can create and delete a network namespace. */
  netns?: boolean;
}

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function missingTools(needs: ToolNeeds): string[] {
  const missing: string[] = [];
  if (needs.root && process.getuid?.() !== 0) missing.push('root');
  for (const c of needs.commands ?? []) if (!onPath(c)) missing.push(`command "${c}"`);
  if (needs.netns && missing.length === 0) {
    const ns = `netmon-probe-${process.pid}`;
    const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    if (add.status !== 0) missing.push(`network namespaces (${add.stderr.trim()})`);
    else spawnSync('ip', ['netns', 'del', ns]);
  }
  return missing;
}

/** True when the tests can run; false (after a loud warning) when they must skip; throws in CI. */
export function requireTool(needs: ToolNeeds, what: string): boolean {
  const missing = missingTools(needs);
  if (missing.length === 0) return true;
  const msg = `${what}: needs ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${msg}: REQUIRED in CI (CI=true), failing instead of skipping`);
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!!! SKIPPED ${msg}\n!!! (set CI=true to make this a failure)\n${bar}\n`);
  return false;
}
