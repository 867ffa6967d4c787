import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../../model/problem.ts';

const RULE_FILE = /\.ya?ml$/;

/**
 * Files as given, directories as their `*.yaml`/`*.yml` files in alphabetical order (Falco's rules.d: not
 * recursive). Every unreadable path is a problem; the rest is still read.
 */
export async function readRuleFiles(
  paths: readonly string[],
): Promise<{ files: { path: string; text: string }[]; problems: Problem[] }> {
  const files: { path: string; text: string }[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let names: string[];
    try {
      names = (await stat(path)).isDirectory() ? await ruleFilesIn(path) : [path];
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

/** Regular files (or links to them) named like rule files; a subdirectory called `x.yaml` is not one. */
async function ruleFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const names = (await readdir(dir)).filter((n) => RULE_FILE.test(n)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const isFile = await stat(path).then(
      (s) => s.isFile(),
      () => true, // unreadable: let the read report it
    );
    if (isFile) out.push(path);
  }
  return out;
}

function readError(path: string, err: unknown): Problem {
  return {
    code: 'LOAD_ERR_FILE_READ',
    severity: 'error',
    source: path,
    message: err instanceof Error ? err.message : String(err),
  };
}
