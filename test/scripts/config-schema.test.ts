import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEdgeConfigJsonSchema } from '../../scripts/render-config-schema';
import { parseEdgeConfigJson } from '../../lib/config/edge-config';
import { ConfigError } from '../../lambdas/shared/config/config-error';

const repoRoot = join(__dirname, '..', '..');

describe('edge config JSON Schema', () => {
  it('the committed config/edge-config.schema.json is current (run `npm run schema` after changing a schema)', () => {
    const committed = readFileSync(join(repoRoot, 'config', 'edge-config.schema.json'), 'utf8');
    expect(committed).toBe(renderEdgeConfigJsonSchema());
  });

  it('the example config/edge.config.json is valid', () => {
    const text = readFileSync(join(repoRoot, 'config', 'edge.config.json'), 'utf8');
    expect(() => parseEdgeConfigJson(text, 'config/edge.config.json')).not.toThrow();
  });

  it('error flow: an unknown top-level section is rejected with its name', () => {
    const text = readFileSync(join(repoRoot, 'config', 'edge.config.json'), 'utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    let caught: unknown;
    try {
      parseEdgeConfigJson(JSON.stringify({ ...doc, authz: {} }), 'test');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.message).join(' ')).toMatch(/authz/);
  });
});
