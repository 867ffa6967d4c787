import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { locateJsonError, parseJson } from '../../src/model/json-error.ts';
import { ROOT } from '../helpers/cli.ts';

/** V8's own position, where its message has one (most messages on Node 24; "Unexpected token" ones do not). */
function v8Position(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err: unknown) {
    const m = /at position (\d+)/.exec((err as Error).message);
    return m === null ? undefined : Number(m[1]);
  }
}

const sample = readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-put-key-policy.1.json`, 'utf8');

describe('JSON errors are located at the character where parsing fails', () => {
  it('a trailing comma in a state: the closing brace on line 3, not the end of the file', () => {
    const text = '{"version": 4,\n  "resources": [],\n}\n\n\n';
    expect(locateJsonError(text)).toMatchObject({
      line: 3,
      column: 1,
      reason: 'expected a property name in double quotes',
    });
  });

  it("a trailing comma in a pretty record: at the brace that follows it, on the comma's line or the next", () => {
    const lines = JSON.stringify(JSON.parse(sample), null, 2).split('\n');
    const at = lines.findIndex((l) => l.includes('"ARN"')); // the last property of resources[0], line 31
    expect(at).toBe(30);
    const arn = lines[at] ?? '';
    const sameLine = [...lines.slice(0, at), `${arn}, }`, ...lines.slice(at + 2)].join('\n');
    expect(locateJsonError(sameLine)).toMatchObject({ line: 31, column: arn.length + 3 });
    const nextLine = [...lines.slice(0, at), `${arn},`, ...lines.slice(at + 1)].join('\n');
    expect(locateJsonError(nextLine)).toMatchObject({ line: 32, column: 5 });
  });

  it.each([
    ['[1,2,]', 5, 'unexpected character where a value should be'],
    ['{"a":tru}', 8, 'invalid literal (expected true)'],
    ['{"a": 01}', 7, "expected ',' or '}' after a property value"],
    ['"abc', 4, 'unterminated string'],
    ['', 0, 'unexpected end of input'],
    ['{"a":1}}', 7, 'unexpected character after the end of the JSON value'],
    ['[1.]', 3, 'invalid number'],
    ['{"a" 1}', 5, "expected ':' after a property name"],
    ['["x\\q"]', 4, 'bad escape in a string'],
  ])('%j fails at offset %i: %s', (text, offset, reason) => {
    expect(locateJsonError(text)).toMatchObject({ offset, reason });
  });

  it('is iterative: 100,000 unclosed brackets are located at the end', () => {
    const text = '['.repeat(100_000);
    expect(locateJsonError(text)).toMatchObject({ line: 1, column: 100_001, reason: 'unexpected end of input' });
  });

  it('never repeats the input: the reason is one of a fixed set', () => {
    const r = parseJson('{"DB_PASSWORD": hunter2}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(JSON.stringify(r.error)).not.toMatch(/DB_PASSWORD|hunter/);
  });

  it('agrees with V8 on 3,000 corrupted documents: same validity, and the same offset wherever V8 gives one', () => {
    // Real-shaped JSON, pretty or compact, with one character inserted, deleted or replaced by JSON's own syntax.
    const doc = fc
      .tuple(fc.jsonValue({ maxDepth: 4 }), fc.boolean())
      .map(([v, pretty]) => JSON.stringify(v, null, pretty ? 2 : undefined) ?? 'null');
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom('insert', 'delete', 'replace'),
      ch: fc.constantFrom(',', '}', ']', '{', '[', ':', '"', '\\', ' ', '\n', 'x', '0', '-', '.', 'e', 't', '\u0001'),
    });
    let compared = 0;
    fc.assert(
      fc.property(doc, edit, (text, { at, op, ch }) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const bad =
          op === 'insert'
            ? text.slice(0, i) + ch + text.slice(i)
            : text.slice(0, i) + (op === 'replace' ? ch : '') + text.slice(i + 1);
        const parsed = parseJson(bad);
        let valid = true;
        try {
          JSON.parse(bad);
        } catch {
          valid = false;
        }
        expect(parsed.ok).toBe(valid);
        const position = v8Position(bad);
        if (!parsed.ok && position !== undefined) {
          compared++;
          expect(parsed.error.offset).toBe(position);
        }
      }),
      { numRuns: 3000, seed: 20261201 },
    );
    expect(compared).toBeGreaterThan(1000);
  });
});
