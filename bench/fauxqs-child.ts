// fauxqs (SQS/S3 emulator) in its own process, so that a benchmark's CPU figures are the reader's alone. Prints
// the port, then serves until killed.
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, logger: false });
process.stdout.write(`${server.port}\n`);
