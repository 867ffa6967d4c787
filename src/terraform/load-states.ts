import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeclaredIndex } from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import { buildIndex } from './build-index.ts';
import { parseState, type ParsedStateResources } from './parse-state.ts';

/** Reads `s3://bucket/key` state objects; only the daemon has one (it holds the S3 client). */
export interface S3StateReader {
  get(bucket: string, key: string): Promise<{ readonly text: string; readonly etag: string }>;
  etag(bucket: string, key: string): Promise<string>;
}

export interface LoadedStates {
  readonly index: DeclaredIndex;
  readonly problems: Problem[];
  /** Changes when any state changes (mtime and size of files, ETag of S3 objects): what a reload compares. */
  readonly version: string;
}

/**
 * Files, directories (every `*.tfstate` below, sorted) and `s3://bucket/key` objects → one index. The state text
 * is dropped as soon as its KMS resources are parsed.
 */
export async function loadStates(sources: readonly string[], s3?: S3StateReader): Promise<LoadedStates> {
  const problems: Problem[] = [];
  const parsed: ParsedStateResources[] = [];
  const versions: string[] = [];
  for (const source of sources) {
    for (const file of await expand(source, problems)) {
      const read = await readOne(file, s3, problems);
      if (read === undefined) continue;
      versions.push(`${file}@${read.version}`);
      const result = parseState(read.text, file);
      problems.push(...result.problems);
      parsed.push(result.resources);
    }
  }
  const built = buildIndex(parsed);
  return { index: built.index, problems: [...problems, ...built.problems], version: versions.join('|') };
}

/** The same version string loadStates would report, without reading or parsing any state. */
export async function stateVersion(sources: readonly string[], s3?: S3StateReader): Promise<string> {
  const versions: string[] = [];
  for (const source of sources) {
    for (const file of await expand(source, [])) {
      const s3Ref = parseS3(file);
      try {
        if (s3Ref !== undefined)
          versions.push(`${file}@${s3 === undefined ? '' : await s3.etag(s3Ref.bucket, s3Ref.key)}`);
        else {
          const info = await stat(file);
          versions.push(`${file}@${info.mtimeMs}:${info.size}`);
        }
      } catch {
        versions.push(`${file}@unreadable`);
      }
    }
  }
  return versions.join('|');
}

async function readOne(
  file: string,
  s3: S3StateReader | undefined,
  problems: Problem[],
): Promise<{ text: string; version: string } | undefined> {
  const ref = parseS3(file);
  try {
    if (ref !== undefined) {
      if (s3 === undefined) throw new Error('S3 states are read by `kms-drift run`; replay reads files');
      const object = await s3.get(ref.bucket, ref.key);
      return { text: object.text, version: object.etag };
    }
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, version: `${info.mtimeMs}:${info.size}` };
  } catch (err: unknown) {
    problems.push({
      code: 'STATE_READ',
      severity: 'error',
      source: file,
      message: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

async function expand(path: string, problems: Problem[]): Promise<string[]> {
  if (parseS3(path) !== undefined) return [path];
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return [path];
  } catch (err: unknown) {
    problems.push({
      code: 'STATE_READ',
      severity: 'error',
      source: path,
      message: err instanceof Error ? err.message : String(err),
    });
    return [];
  }
  try {
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith('.tfstate'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    // An empty directory is most likely a wrong path; every key would then look unmanaged.
    if (files.length === 0) {
      problems.push({
        code: 'STATE_READ',
        severity: 'warning',
        source: path,
        message: 'no *.tfstate file below this directory',
      });
    }
    return files;
  } catch (err: unknown) {
    problems.push({
      code: 'STATE_READ',
      severity: 'error',
      source: path,
      message: err instanceof Error ? err.message : String(err),
    });
    return [];
  }
}

function parseS3(source: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
  return m?.[1] === undefined || m[2] === undefined ? undefined : { bucket: m[1], key: m[2] };
}
