import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}bin/kms-drift.js`;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed line by line; a line that is not JSON fails the test that reads it. */
  readonly logs: Record<string, unknown>[];
}

/**
 * Runs the real CLI in a child process, as a user would (same Node as the test run). `env` is added to the test's
 * environment (a variable set to undefined is removed).
 */
export function runCli(
  args: readonly string[],
  stdin?: string | Buffer,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(env === undefined ? {} : { env: withEnv(env) }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({
        code,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        // Parsed on first read: commands whose stdout is not drift logs (rules validate) never read it.
        get logs() {
          const lines = stdout.split('\n').filter((l) => l.trim() !== '');
          return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        },
      });
    });
    // A command that does not read stdin (--help, a usage error) may exit before it is written: not a failure.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(stdin ?? '');
  });
}

function withEnv(extra: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
