#!/usr/bin/env node
// Node ≥ 22.18 runs the TypeScript sources directly (type stripping): no build step, no dist/ to drift from src/.
// This file is plain JavaScript that any Node parses, and checks the version before importing anything that needs a
// newer one: on an older Node the user reads which version is needed, not a SyntaxError from deep inside.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
// Type stripping is on by default from 22.18 in the 22 line and from 23.6 in the 23 line.
const supported = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!supported) {
  process.stderr.write(
    `kms-drift: needs Node.js 22.18 or newer (it runs its TypeScript sources directly); this is Node.js ${process.versions.node} (${process.execPath}). In a checkout, \`npm ci\` installs Node 24 for \`npm start\` and \`npx kms-drift\`.\n`,
  );
  process.exit(2);
}
// The daemon may be stopped while its modules still load (a pod scaled down at once): until `run` installs its own
// handlers, which finish or release in-flight messages, nothing is in flight, so SIGTERM/SIGINT simply end it with 0.
if (process.argv[2] === 'run') {
  const early = () => process.exit(0);
  early.kmsDriftEarly = true; // run() removes it when it takes over (src/cli/run.ts)
  process.on('SIGTERM', early);
  process.on('SIGINT', early);
  // `ps` shows the daemon by name (and a test sees from here on that its handlers are in place).
  process.title = 'kms-drift run';
}
// The compile cache (in the OS temp directory) keeps the stripped and compiled modules between runs: a second start
// is about a third faster and smaller (BENCHMARKS.md). Without a writable temp directory Node just skips it.
// (A promise chain, not top-level await, so this file parses on every Node that has ES modules.)
void import('node:module').then((module) => {
  module.enableCompileCache?.();
  return import('../src/main.ts');
});
