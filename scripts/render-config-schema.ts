import { z } from 'zod';
import { edgeConfigSchema } from '../lib/config/edge-config';

/** The JSON Schema (draft 2020-12) of the edge configuration, as the text committed to the repo. */
export function renderEdgeConfigJsonSchema(): string {
  const schema = z.toJSONSchema(edgeConfigSchema, { io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'API security edge configuration' }, null, 2) + '\n';
}
