// Loaded with `node --import` into a child the memory benchmark runs: at exit it prints the process's peak resident
// set (kilobytes, from getrusage) on stderr, so the figure needs no GNU time on the machine. Plain JavaScript: a
// TypeScript hook would be stripped by Node's amaro (WebAssembly) before the CLI's compile cache is on, which added
// ~16 MB and ~30 ms to every figure measured with it.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nbench-max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
