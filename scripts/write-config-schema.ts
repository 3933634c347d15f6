/**
 * Writes the JSON Schema of the edge configuration to config/edge-config.schema.json, so editors
 * validate and complete config files. `npm test` checks the committed file is current.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEdgeConfigJsonSchema } from './render-config-schema';

const target = join(__dirname, '..', 'config', 'edge-config.schema.json');
writeFileSync(target, renderEdgeConfigJsonSchema());
console.log(`wrote ${target}`);
