import { readFile, rename, writeFile } from 'node:fs/promises';

/** The time up to which CloudTrail has been read, kept across restarts (written atomically). */
export async function readCheckpoint(path: string | undefined): Promise<Date | undefined> {
  if (path === undefined) return undefined;
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { readUntil?: unknown };
    const time = typeof parsed.readUntil === 'string' ? new Date(parsed.readUntil) : undefined;
    return time !== undefined && !Number.isNaN(time.getTime()) ? time : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCheckpoint(path: string | undefined, readUntil: Date): Promise<void> {
  if (path === undefined) return;
  await writeFile(`${path}.tmp`, JSON.stringify({ readUntil: readUntil.toISOString() }));
  await rename(`${path}.tmp`, path);
}

/** `90s`, `30m`, `6h`, `2d` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
