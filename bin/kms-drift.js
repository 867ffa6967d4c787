#!/usr/bin/env node
// Node ≥ 22.18 runs the TypeScript sources directly (type stripping): no build step, no dist/ to drift from src/.
// The compile cache (in the OS temp directory) keeps the stripped and compiled modules between runs: a second start
// is about a third faster and smaller (BENCHMARKS.md). Without a writable temp directory Node just skips it.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('../src/main.ts');
