// Loaded with `node --import` into a child the memory benchmark runs: at exit it prints the process's peak resident
// set (kilobytes, from getrusage) on stderr, so the figure needs no GNU time on the machine.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nbench-max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
