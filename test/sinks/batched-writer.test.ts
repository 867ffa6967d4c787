import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinoDriftLogWriter } from '../../src/sinks/stdout.ts';

// The daemon's drift-log writer: lines held until a flush, the flushes of one event-loop turn written together, and
// a flush resolved only once its lines are on the descriptor (the daemon deletes a message after that).

const dirs: string[] = [];
const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kms-drift-writer-'));
  dirs.push(dir);
  return dir;
}
const rules = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { rule: string }).rule);

describe('batched drift-log writer', () => {
  it('writes nothing before a flush; the flushes of one turn resolve with every line written, in order', async () => {
    const file = join(tempDir(), 'out.log');
    const fd = openSync(file, 'w');
    fds.push(fd);
    const writer = pinoDriftLogWriter(fd, { batched: true });
    writer.write('Warning', { rule: 'a1' }, 'm');
    writer.write('Critical', { rule: 'a2' }, 'm');
    expect(readFileSync(file, 'utf8')).toBe('');
    const first = writer.flush();
    writer.write('Notice', { rule: 'b1' }, 'm');
    const second = writer.flush();
    await first;
    expect(rules(readFileSync(file, 'utf8'))).toEqual(['a1', 'a2', 'b1']);
    await second;
    writer.write('Error', { rule: 'c1' }, 'm');
    await writer.flush();
    expect(rules(readFileSync(file, 'utf8'))).toEqual(['a1', 'a2', 'b1', 'c1']);
    // Nothing held: a flush resolves at once.
    await writer.flush();
  });

  it('a full pipe is waited for without blocking the event loop; the flush resolves once the reader took it all', async () => {
    const fifo = join(tempDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    fds.push(reader);
    const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    fds.push(fd);
    const writer = pinoDriftLogWriter(fd, { batched: true });
    // ~400 KB: several times what a pipe holds (64 KB on Linux).
    const big = 'x'.repeat(400);
    for (let i = 0; i < 1000; i++) writer.write('Warning', { rule: `r${i}`, big }, 'm');
    let flushed = false;
    const flush = writer.flush().then(() => (flushed = true));
    // The event loop turns while the pipe is full.
    let ticks = 0;
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5)).then(() => ticks++);
    expect(ticks).toBe(5);
    expect(flushed).toBe(false);
    // Read it all; the flush resolves when the last byte is in the pipe.
    let text = '';
    const buffer = Buffer.alloc(65536);
    while (!flushed || text.split('\n').length <= 1000) {
      let n = 0;
      try {
        n = readSync(reader, buffer);
      } catch (err: unknown) {
        if (!(err instanceof Error && 'code' in err && err.code === 'EAGAIN')) throw err;
      }
      text += buffer.toString('utf8', 0, n);
      if (n === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await flush;
    expect(rules(text)).toEqual(Array.from({ length: 1000 }, (_, i) => `r${i}`));
  });

  it('a write that fails fails its flush (the daemon then keeps the message); the next flush still writes', async () => {
    const file = join(tempDir(), 'out.log');
    const fd = openSync(file, 'w');
    const writer = pinoDriftLogWriter(fd, { batched: true });
    writer.write('Warning', { rule: 'lost' }, 'm');
    closeSync(fd);
    await expect(writer.flush()).rejects.toThrow(/EBADF/);
    // A new descriptor gets the same number: the writer goes on with it.
    const again = openSync(file, 'a');
    fds.push(again);
    expect(again).toBe(fd);
    writer.write('Warning', { rule: 'next' }, 'm');
    await writer.flush();
    expect(rules(readFileSync(file, 'utf8'))).toEqual(['next']);
  });
});
