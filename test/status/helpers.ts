/** A config from YAML text, loaded as the daemon loads it (temp dir removed at once: nothing reads it later). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/loader.js';
import type { LoadedConfig } from '../../src/config/model.js';

export function loadConfigText(yaml: string): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'netmon-status-'));
  try {
    writeFileSync(join(dir, 'netmon.yaml'), `storage: { path: netmon.db }\n${yaml}`);
    return loadConfig(join(dir, 'netmon.yaml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
