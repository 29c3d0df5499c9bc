/** Writes config/netmon.schema.json and config/netmon-include.schema.json from the zod schema (`npm run gen:schema`). */
import { writeFileSync } from 'node:fs';
import { configJsonSchemas } from '../src/config/json-schema.js';

for (const [name, text] of Object.entries(configJsonSchemas())) {
  const url = new URL(`../config/${name}`, import.meta.url);
  writeFileSync(url, text);
  console.log(`wrote config/${name}`);
}
