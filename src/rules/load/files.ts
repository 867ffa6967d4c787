import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../model/problem.ts';

/** Files as given, directories as their `*.yaml`/`*.yml` files in alphabetical order (Falco's rules.d). */
export async function readRuleFiles(
  paths: readonly string[],
): Promise<{ files: { path: string; text: string }[]; problems: Problem[] }> {
  const files: { path: string; text: string }[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let names: string[];
    try {
      names = (await stat(path)).isDirectory()
        ? (await readdir(path))
            .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
            .sort()
            .map((n) => join(path, n))
        : [path];
    } catch (err: unknown) {
      problems.push(readError(path, err));
      continue;
    }
    for (const name of names) {
      try {
        files.push({ path: name, text: await readFile(name, 'utf8') });
      } catch (err: unknown) {
        problems.push(readError(name, err));
      }
    }
  }
  return { files, problems };
}

function readError(path: string, err: unknown): Problem {
  return {
    code: 'LOAD_ERR_FILE_READ',
    severity: 'error',
    source: path,
    message: err instanceof Error ? err.message : String(err),
  };
}
