import { readFileSync } from 'node:fs';

/** cgroup v2's file, then v1's, as a container sees its own cgroup. */
const LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];
/** cgroup v1 writes "no limit" as a page-rounded 2^63 - 1; anything this large is no limit. */
const NO_LIMIT = 2 ** 60;

/** The container's memory limit in bytes, or undefined when there is none (or no cgroup to read). */
export function cgroupMemoryLimit(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | undefined {
  for (const file of LIMIT_FILES) {
    let text: string;
    try {
      text = read(file).trim();
    } catch {
      continue;
    }
    if (text === 'max') return undefined;
    const bytes = Number(text);
    return Number.isSafeInteger(bytes) && bytes > 0 && bytes < NO_LIMIT ? bytes : undefined;
  }
  return undefined;
}
