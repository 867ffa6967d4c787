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
// replay and demo read files as fast as they can: V8's young generation grows to 16 MiB semi-spaces on that load and
// holds the read buffers until it fills, which raised the peak of a 1 GB replay by ~35 MB (BENCHMARKS.md). V8 reads
// the semi-space limits only at start, but the growth factor each time it would grow: 1 keeps the young generation
// at its initial 1 MiB semi-spaces. Not for the daemon (its memory budget is derived from the heap Node was started
// with), nor when the user sizes the young generation.
const command = process.argv[2];
const sized = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')].some((a) =>
  a.includes('semi-space'),
);
const smallYoungGeneration = (command === 'replay' || command === 'demo') && !sized;
// The compile cache (in the OS temp directory) keeps the stripped and compiled modules between runs: a second start
// is about a third faster and smaller (BENCHMARKS.md). Without a writable temp directory Node just skips it.
// (A promise chain, not top-level await, so this file parses on every Node that has ES modules.)
void import('node:module')
  .then((module) => {
    module.enableCompileCache?.();
    return smallYoungGeneration ? import('node:v8') : undefined;
  })
  .then((v8) => {
    v8?.setFlagsFromString('--semi-space-growth-factor=1');
    return import('../src/main.ts');
  });
