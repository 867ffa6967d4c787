import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../model/problem.ts';

export type Expanded =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'digest'; readonly path: string }
  | { readonly kind: 'problem'; readonly source: string; readonly problem: Problem };

/** CloudTrail's digest files live under `CloudTrail-Digest/` and are named `…_CloudTrail-Digest_…`. */
const DIGEST = 'CloudTrail-Digest';

/**
 * A file input as itself; a directory as every regular file below it, names sorted so runs are reproducible.
 * Symbolic links inside directories are not followed (a link cycle would never end). Files named as CloudTrail
 * digests are announced as such rather than read: they hold hashes of log files, never records.
 */
export async function* expand(input: string): AsyncIterable<Expanded> {
  let info;
  try {
    info = await stat(input);
  } catch (err: unknown) {
    yield { kind: 'problem', source: input, problem: readProblem(input, err) };
    return;
  }
  if (info.isFile()) yield { kind: 'file', path: input };
  else if (info.isDirectory()) yield* walk(input, false);
  else yield { kind: 'problem', source: input, problem: readProblem(input, 'not a regular file or a directory') };
}

async function* walk(dir: string, inDigestFolder: boolean): AsyncIterable<Expanded> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    yield { kind: 'problem', source: dir, problem: readProblem(dir, err) };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const digest = inDigestFolder || entry.name.includes(DIGEST);
    if (entry.isDirectory()) yield* walk(path, digest);
    else if (entry.isFile()) yield { kind: digest ? 'digest' : 'file', path };
  }
}

export function readProblem(source: string, err: unknown): Problem {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : String(err);
  // zlib's errors: Z_BUF_ERROR "unexpected end of file" for a truncated file, Z_DATA_ERROR for corrupt data.
  const gzip = code.startsWith('Z_') || /unexpected end of file|incorrect header check/i.test(message);
  return { code: gzip ? 'INPUT_GZIP' : 'INPUT_READ', severity: 'error', source, message };
}
