import { writeSync } from 'node:fs';
const max: Record<string, number> = {};
let atPeak: Record<string, number> = {};
setInterval(() => {
  const m = process.memoryUsage() as unknown as Record<string, number>;
  for (const [k, v] of Object.entries(m)) max[k] = Math.max(max[k] ?? 0, v);
  if ((m['rss'] ?? 0) >= (max['rss'] ?? 0)) atPeak = m;
}, 50).unref();
process.on('exit', () => {
  const f = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}=${(v / 2 ** 20).toFixed(0)}`).join(' ');
  writeSync(2, `\nSAMPLER max: ${f(max)}\nSAMPLER at rss peak: ${f(atPeak)}\n`);
});
