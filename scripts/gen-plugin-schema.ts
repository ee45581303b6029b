/**
 * Writes schema/plugin.schema.json, the JSON Schema of plugin definition files, from
 * plugins/schema.ts. Run with `npm run gen:schema` after changing what a definition may hold;
 * the test plugin-json-schema-agrees-with-loader fails while the committed file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_SCHEMA_PATH, pluginSchema } from '../plugins/schema.js';

/** The schema file's text, as committed. */
export function renderPluginSchema(): string {
  return `${JSON.stringify(pluginSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = join(fileURLToPath(new URL('..', import.meta.url)), PLUGIN_SCHEMA_PATH);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, renderPluginSchema());
  console.log(`wrote ${target}`);
}
