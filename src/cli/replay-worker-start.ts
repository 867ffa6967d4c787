// The entry of replay's worker threads: Node's compile cache is per thread, so each worker turns it on (as
// bin/kms-drift.js does for the main thread) before it imports the modules it runs; a worker then starts in about
// half the time.
import module from 'node:module';

module.enableCompileCache?.();
await import('./replay-worker.ts');
