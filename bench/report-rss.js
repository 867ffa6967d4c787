// Loaded with `node --import` into a child the memory benchmark runs: at exit it prints the process's peak resident
// set (kilobytes) on stderr, so the figure needs no GNU time on the machine. On Linux it is VmHWM, the high-water
// mark of this program's own memory: getrusage's maxRSS carries over the parent's resident set at fork through exec,
// so a small child of a large benchmark process reported the parent's size. Plain JavaScript: a TypeScript hook
// would be stripped by Node's amaro (WebAssembly) before the CLI's compile cache is on, which added ~16 MB and
// ~30 ms to every figure measured with it.
import { readFileSync, writeSync } from 'node:fs';

function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm !== null) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  writeSync(2, `\nbench-max-rss-kb ${peakKb()}\n`);
});
