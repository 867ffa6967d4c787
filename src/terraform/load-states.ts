import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeclaredIndex } from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import { buildIndex } from './build-index.ts';
import { parseState, type ParsedState } from './parse-state.ts';

/** Files and directories (every `*.tfstate` below, sorted) → one index. The state text is dropped after parsing. */
export async function loadStates(sources: readonly string[]): Promise<{ index: DeclaredIndex; problems: Problem[] }> {
  const problems: Problem[] = [];
  const parsed: ParsedState[] = [];
  for (const source of sources) {
    if (source.startsWith('s3://')) {
      problems.push({
        code: 'STATE_READ',
        severity: 'error',
        source,
        message: 'S3 states are read by `kms-drift run`; replay reads files',
      });
      continue;
    }
    for (const file of await stateFiles(source, problems)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err: unknown) {
        problems.push({
          code: 'STATE_READ',
          severity: 'error',
          source: file,
          message: err instanceof Error ? err.message : String(err),
        });
        continue;
      }
      const result = parseState(text, file);
      problems.push(...result.problems);
      parsed.push(result.state);
    }
  }
  const built = buildIndex(parsed);
  return { index: built.index, problems: [...problems, ...built.problems] };
}

async function stateFiles(path: string, problems: Problem[]): Promise<string[]> {
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
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.tfstate'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
