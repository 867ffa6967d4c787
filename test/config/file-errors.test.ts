import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/config/file.ts';

// A config file is YAML, so JSON is one of its forms; its errors are located by the `yaml` package's own positions.
const known = new Set(['queueUrl', 'pollers']);

describe('config file syntax errors: where, and never the text', () => {
  it.each([
    ['{"queueUrl": "x"\n  "pollers": 2}', 2, 3],
    ['{"queueUrl": "x", "pollers": 2}}', 1, 32],
    ['{"queueUrl": "x"}}DB_PASSWORD=hunter2', 1, 18],
  ])('%j is CONFIG_INVALID at %i:%i', (text, line, column) => {
    const { problems } = parseConfigFile('c.yaml', text, known);
    expect(problems[0]).toMatchObject({ code: 'CONFIG_INVALID', source: 'c.yaml', line, column });
    expect(JSON.stringify(problems)).not.toMatch(/hunter2|"}"/);
  });
});
