/** JSON Schemas of the config files' input form, for editors (yaml-language-server) to autocomplete and validate. */
import { z } from 'zod';
import { includeFile, mainFile, webConfigFile } from './schema.js';

// draft-07: the dialect editor YAML plug-ins understand best.
function render(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-07' });
  return JSON.stringify({ $schema: json.$schema, title, ...json }, null, 2) + '\n';
}

/** File name (under config/) → file content. */
export function configJsonSchemas(): Record<string, string> {
  return {
    'netmon.schema.json': render(mainFile, 'netmon configuration'),
    'netmon-include.schema.json': render(includeFile, 'netmon included configuration (sites, targets, credentials)'),
    'netmon-web.schema.json': render(webConfigFile, 'netmon web config (server.web_config: TLS, basic auth)'),
  };
}
