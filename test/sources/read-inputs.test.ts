import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readInputs, type InputPayload } from '../../src/sources/files/read-inputs.ts';
import type { SkipReason } from '../../src/model/problem.ts';

const F = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const LOGS = `${F}envelopes/s3-cloudtrail-log-files/`;
const ORG_LOG = `${LOGS}ccbrown_cloud-snitch/AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz`;
const RECORD = `${F}cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`;

async function collect(inputs: string[], io: Parameters<typeof readInputs>[1] = {}): Promise<InputPayload[]> {
  const out: InputPayload[] = [];
  for await (const p of readInputs(inputs, io)) out.push(p);
  return out;
}

/** [source relative to `base`, path] for payloads, [source, code, line] for problems: what a user sees. */
function summary(payloads: InputPayload[], base: string): (string | number | undefined)[][] {
  return payloads.map((p) =>
    'problem' in p ? [relative(base, p.source), p.problem.code, p.problem.line] : [relative(base, p.source), p.path],
  );
}

function recordsIn(p: InputPayload | undefined): number {
  if (p === undefined || 'problem' in p) return -1;
  if ('logFile' in p) return p.logFile.records;
  const records = (p.value as { Records?: unknown[] }).Records;
  return records?.length ?? -1;
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kms-drift-read-inputs-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readInputs: files and directories of real log files', () => {
  it('walks a directory recursively in name order; gzip by magic bytes; a document whole, JSON Lines by line', async () => {
    const out = await collect([LOGS]);
    expect(summary(out, LOGS)).toEqual([
      [
        'ccbrown_cloud-snitch/AWSLogs/333333333333/CloudTrail/us-east-1/2025/03/06/333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz',
        '',
      ],
      [relative(LOGS, ORG_LOG), ''],
      ['plaso/aws_cloudtrail.json', ''],
      ...[1, 2, 3, 4, 5, 6].map((n) => ['plaso/jsonl__aws_cloudtrail.jsonl', `line ${n}`]),
    ]);
    // The organization-trail file: 20 records of mixed services (cloud-snitch's test data).
    expect(recordsIn(out[1])).toBe(20);
    // The plaso file is compact (one line) and holds 9 records, Insight events among them.
    expect(recordsIn(out[2])).toBe(9);
  });

  it('gzip is recognised by content, not by name: a gzipped log renamed to .json still reads', async () => {
    const renamed = join(tmp, 'renamed.json');
    copyFileSync(ORG_LOG, renamed);
    const out = await collect([renamed]);
    expect(recordsIn(out[0])).toBe(20);
  });

  it.each([
    ['truncated', (gz: Buffer) => gz.subarray(0, Math.floor(gz.length / 2))],
    ['corrupt', (gz: Buffer) => Buffer.concat([gz.subarray(0, 10), Buffer.alloc(200, 0xab)])],
  ])('a %s gzip file is an INPUT_GZIP problem, not a crash', async (name, damage) => {
    const file = join(tmp, `${name}.json.gz`);
    writeFileSync(file, damage(readFileSync(ORG_LOG)));
    const out = await collect([file]);
    expect(out).toEqual([{ source: file, problem: expect.objectContaining({ code: 'INPUT_GZIP', source: file }) }]);
  });

  it.each([
    ['cloudtrail/aws-kms-developer-guide/ct-decrypt.2.INVALID.txt', 18, 5],
    ['cloudtrail/aws-kms-developer-guide/history/ct-updatealias.d3efd4a162.1.INVALID.txt', 7, 30],
    // A line break inside a string: the break itself, where V8 stops too (at the string's start before).
    ['envelopes/aws-cloudtrail-user-guide/cloudtrail-log-file-examples.6.INVALID.txt', 19, 124],
  ])('%s (invalid in its source) is INPUT_JSON at %i:%i', async (file, line, column) => {
    const out = await collect([`${F}${file}`]);
    expect(out).toEqual([
      { source: `${F}${file}`, problem: expect.objectContaining({ code: 'INPUT_JSON', line, column }) },
    ]);
  });

  it('every *.INVALID.txt of the KMS guide gives exactly one INPUT_JSON problem; the valid records read', async () => {
    const dir = `${F}cloudtrail/aws-kms-developer-guide/`;
    const out = await collect([dir]);
    const problems = out.filter((p) => 'problem' in p);
    expect(problems.map((p) => relative(dir, p.source))).toEqual([
      'ct-decrypt-enclave.1.INVALID.txt',
      'ct-decrypt.2.INVALID.txt',
      'ct-encrypt.1.INVALID.txt',
      'ct-replicate-key.1.INVALID.txt',
      'history/ct-createkey.1d0d663633.1.INVALID.txt',
      'history/ct-createkey.7881062c80.1.INVALID.txt',
      'history/ct-createkey.890c4c5987.1.INVALID.txt',
      'history/ct-encrypt.8c223bba83.1.INVALID.txt',
      'history/ct-replicate-key.63861bcb81.1.INVALID.txt',
      'history/ct-updatealias.d3efd4a162.1.INVALID.txt',
      'history/deleting-keys-creating-cloudwatch-alarm.8c625b91b0.1.INVALID.txt',
    ]);
    expect(problems.every((p) => 'problem' in p && p.problem.code === 'INPUT_JSON')).toBe(true);
    expect(out.length - problems.length).toBe(58 + 41);
  });

  it('JSON Lines: one payload a non-empty line; a bad line is a problem at its line, the others still read', async () => {
    const line = readFileSync(RECORD, 'utf8').replace(/\s*\n\s*/g, '');
    const file = join(tmp, 'events.jsonl');
    writeFileSync(file, `${line}\n\n${line}\n{"eventName": oops}\n${line}\n`);
    expect(summary(await collect([file]), tmp)).toEqual([
      ['events.jsonl', 'line 1'],
      ['events.jsonl', 'line 3'],
      ['events.jsonl', 'INPUT_JSON', 4],
      ['events.jsonl', 'line 5'],
    ]);
  });

  it('a UTF-8 byte-order mark does not make a valid file invalid', async () => {
    const file = join(tmp, 'bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(RECORD, 'utf8')}`);
    expect(summary(await collect([file]), tmp)).toEqual([['bom.json', '']]);
  });

  it('a missing input is an INPUT_READ problem and the next input is still read', async () => {
    const missing = join(tmp, 'does-not-exist.json');
    expect(summary(await collect([missing, RECORD]), tmp)).toEqual([
      ['does-not-exist.json', 'INPUT_READ', undefined],
      [relative(tmp, RECORD), ''],
    ]);
  });

  it('digest files in a directory are not read and are reported as skipped; without a listener they are read', async () => {
    const dir = join(tmp, 'bucket');
    const digestDir = join(dir, 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01');
    const logDir = join(dir, 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01');
    mkdirSync(digestDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const digest = join(digestDir, '111122223333_CloudTrail-Digest_us-east-1_x_20240501T000000Z.json.gz');
    writeFileSync(digest, gzipSync(JSON.stringify({ digestStartTime: '2024-05-01T00:00:00Z', logFiles: [] })));
    copyFileSync(ORG_LOG, join(logDir, 'log.json.gz'));
    const skipped: [string, SkipReason][] = [];
    const out = await collect([dir], { onSkip: (source, reason) => skipped.push([source, reason]) });
    expect(skipped).toEqual([[digest, 'digest_file']]);
    expect(summary(out, dir)).toEqual([['AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/log.json.gz', '']]);
    // Without a listener nothing vanishes: the digest is read, and unwrap counts it by its content.
    expect((await collect([dir])).map((p) => relative(dir, p.source))).toHaveLength(2);
  });
});

describe('readInputs: stdin', () => {
  const stdin = (data: string | Buffer): NodeJS.ReadableStream => Readable.from([data]);

  it.each([
    ['a pretty-printed document', readFileSync(RECORD)],
    ['a gzipped log file', readFileSync(ORG_LOG)],
  ])('%s is one payload', async (_, data) => {
    const out = await collect(['-'], { stdin: stdin(data) });
    expect(summary(out, '')).toEqual([['<stdin>', '']]);
  });

  it('JSON Lines are streamed one payload a line, with the line number of a bad line', async () => {
    const out = await collect(['-'], { stdin: stdin('{"a":1}\n\n{"b":2}\nnope\n') });
    expect(summary(out, '')).toEqual([
      ['<stdin>', 'line 1'],
      ['<stdin>', 'line 3'],
      ['<stdin>', 'INPUT_JSON', 4],
    ]);
  });

  it('an invalid document is one INPUT_JSON problem with its line', async () => {
    const out = await collect(['-'], { stdin: stdin('{\n  "a": 1,\n  "b": \n}\n') });
    expect(out).toEqual([{ source: '<stdin>', problem: expect.objectContaining({ code: 'INPUT_JSON', line: 4 }) }]);
  });

  it('a truncated gzip stream is an INPUT_GZIP problem', async () => {
    const gz = readFileSync(ORG_LOG);
    const out = await collect(['-'], { stdin: stdin(gz.subarray(0, gz.length - 100)) });
    expect(out.at(-1)).toMatchObject({ source: '<stdin>', problem: { code: 'INPUT_GZIP' } });
  });
});

describe('readInputs: files larger than the whole-read limit are streamed', () => {
  // 70 MB of JSON Lines: above the 64 MiB read-whole limit, so this exercises the line-streaming path on a file.
  const line = readFileSync(RECORD, 'utf8').replace(/\s*\n\s*/g, '');
  const count = Math.ceil((70 * 1024 * 1024) / (line.length + 1));
  const text = `${line}\n`.repeat(count);

  it.each([
    ['plain', (t: string) => Buffer.from(t)],
    ['gzipped', (t: string) => gzipSync(t, { level: 1 })],
  ])(
    '%s',
    async (name, encode) => {
      const file = join(tmp, `big-${name}.jsonl`);
      writeFileSync(file, encode(text));
      let n = 0;
      let last: InputPayload | undefined;
      for await (const p of readInputs([file])) {
        n++;
        last = p;
      }
      expect(n).toBe(count);
      expect(last).toMatchObject({ source: file, path: `line ${count}` });
      rmSync(file);
    },
    60_000,
  );
});

describe('gzip read whole, its buffer sized by its trailer', () => {
  it('two gzip members read as their content; a trailer that lies about the size is a corrupt file, as before', async () => {
    const text = readFileSync(RECORD, 'utf8');
    const half = Math.floor(text.length / 2);
    const members = Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]);
    const lying = gzipSync(text);
    lying.writeUInt32LE(0xffffffff, lying.length - 4); // says 4 GB: no such buffer is allocated for it
    writeFileSync(join(tmp, 'members.gz'), members);
    writeFileSync(join(tmp, 'lying.gz'), lying);
    const [whole, corrupt] = await collect([join(tmp, 'members.gz'), join(tmp, 'lying.gz')]);
    expect(whole !== undefined && 'value' in whole ? whole.value : whole).toEqual(JSON.parse(text));
    expect(corrupt !== undefined && 'problem' in corrupt ? corrupt.problem.code : corrupt).toBe('INPUT_GZIP');
  });
});
