// A seeded generator of realistic CloudTrail log files built from the real records in fixtures/: non-KMS records
// from Stratus Red Team's detonation logs and the ccbrown trail files, KMS management records from AWS's samples.
// Every record gets its own eventID and time; the mix and the order come from the seed, so runs are comparable.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const FIX = new URL('../fixtures/', import.meta.url);

type Rec = Record<string, unknown>;

function json(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, FIX), 'utf8'));
}

function asRecords(value: unknown): Rec[] {
  if (Array.isArray(value)) return value as Rec[];
  const v = value as Rec;
  return Array.isArray(v['Records']) ? (v['Records'] as Rec[]) : [v];
}

export function sampleRecords(): { kms: Rec[]; other: Rec[] } {
  const other: Rec[] = [];
  const stratus = new URL('cloudtrail/non-kms/stratus-red-team/', FIX);
  for (const f of readdirSync(stratus)) other.push(...asRecords(json(`cloudtrail/non-kms/stratus-red-team/${f}`)));
  const ccbrown =
    'envelopes/s3-cloudtrail-log-files/ccbrown_cloud-snitch/AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz';
  const trail = JSON.parse(gunzipSync(readFileSync(new URL(ccbrown, FIX))).toString('utf8')) as Rec;
  other.push(...asRecords(trail).filter((r) => r['eventSource'] !== 'kms.amazonaws.com'));
  const kms: Rec[] = [];
  for (const f of [
    'ct-disablekey.1.json',
    'ct-enablekey.1.json',
    'ct-disable-key-rotation.1.json',
    'ct-enablekeyrotation.1.json',
    'ct-put-key-policy.1.json',
    'ct-schedule-key-deletion.3.json',
    'ct-cancel-key-deletion.1.json',
    'ct-tagresource.1.json',
    'ct-untagresource.1.json',
    'ct-updatealias.1.json',
    'ct-createalias.1.json',
    'ct-deletealias.1.json',
    'ct-createkey.2.json',
  ]) {
    kms.push(...asRecords(json(`cloudtrail/aws-kms-developer-guide/${f}`)));
  }
  return { kms, other };
}

/** mulberry32: small, fast, good enough to pick records reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Corpus {
  readonly files: readonly string[];
  readonly records: number;
  readonly kmsRecords: number;
  readonly jsonBytes: number;
}

/** Gzipped `{"Records":[…]}` files of `perFile` records until `targetBytes` of JSON, `kmsShare` of them KMS. */
export function writeCorpus(
  dir: string,
  seed: number,
  targetBytes: number,
  kmsShare: number,
  perFile = 2000,
  keyIds?: readonly string[],
  maxFiles = Infinity,
): Corpus {
  mkdirSync(dir, { recursive: true });
  const { kms, other } = sampleRecords();
  const random = prng(seed);
  const files: string[] = [];
  let records = 0;
  let kmsRecords = 0;
  let jsonBytes = 0;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let file = 0; jsonBytes < targetBytes && file < maxFiles; file++) {
    const batch: Rec[] = [];
    for (let i = 0; i < perFile; i++) {
      const isKms = random() < kmsShare;
      const base = (isKms ? kms : other)[Math.floor(random() * (isKms ? kms.length : other.length))] ?? {};
      const n = records + i;
      const rec: Rec = {
        ...base,
        eventID: `${(n >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(seed).padStart(12, '0')}`,
        eventTime: new Date(start + n * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      if (isKms && keyIds !== undefined && keyIds.length > 0)
        retarget(rec, keyIds[Math.floor(random() * keyIds.length)] ?? '');
      if (isKms) kmsRecords++;
      batch.push(rec);
    }
    const text = JSON.stringify({ Records: batch });
    jsonBytes += Buffer.byteLength(text);
    records += batch.length;
    const path = join(dir, `${String(file).padStart(5, '0')}.json.gz`);
    writeFileSync(path, gzipSync(text, { level: 6 }));
    files.push(path);
  }
  return { files, records, kmsRecords, jsonBytes };
}

/** Points a sample KMS record at another key of the same account, so a large state is really searched. */
function retarget(rec: Rec, keyId: string): void {
  const text = JSON.stringify(rec)
    .replaceAll('1234abcd-12ab-34cd-56ef-1234567890ab', keyId)
    .replaceAll('0987dcba-09fe-87dc-65ba-ab0987654321', keyId);
  Object.assign(rec, JSON.parse(text) as Rec);
}
