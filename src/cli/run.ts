import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { liveReader } from '../kms/live-reads.ts';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { runDaemon } from '../daemon.ts';
import { startHttp } from '../http/server.ts';
import { formatProblem } from '../model/problem.ts';
import { Metrics } from '../sinks/metrics.ts';
import { pinoDriftLogWriter } from '../sinks/stdout.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import type { ReloadingState } from '../terraform/reloading-state.ts';
import { startLocal } from './local.ts';
import { s3StateReader } from '../sources/s3/state-reader.ts';

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly cloudtrail: CloudTrailClient;
  readonly kms: KMSClient;
}

/**
 * `kms-drift run`: the daemon. Exit 0 after a clean shutdown (SIGTERM/SIGINT), 1 when rules or state are unusable,
 * 2 when the configuration is (no queue, bad values — every problem listed).
 */
export async function run(args: readonly string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'queue-url': { type: 'string' },
      state: { type: 'string', multiple: true },
      rules: { type: 'string', multiple: true },
      'min-priority': { type: 'string' },
      'terraform-principal': { type: 'string', multiple: true },
      pollers: { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'wait-time': { type: 'string' },
      'shutdown-timeout-ms': { type: 'string' },
      'dedup-size': { type: 'string' },
      'shared-table': { type: 'string' },
      'dedup-retention-hours': { type: 'string' },
      'http-listen': { type: 'string' },
      'state-reload-seconds': { type: 'string' },
      since: { type: 'string' },
      'checkpoint-file': { type: 'string' },
      'lookup-poll-seconds': { type: 'string' },
      'live-kms-reads': { type: 'boolean' },
      local: { type: 'boolean', default: false },
      config: { type: 'string' },
    },
  });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const local = values.local ? await startLocal(io) : undefined;
  try {
    const loaded = loadConfig(local === undefined ? values : { ...local.options, ...values }, env);
    if ('problems' in loaded) {
      for (const p of loaded.problems) io.err(formatProblem(p));
      io.err('kms-drift run: not starting (see `kms-drift --help`)');
      return 2;
    }
    const clients = local?.clients ?? defaultClients(env);
    const noRegion = await missingRegion(clients.sqs);
    if (noRegion !== undefined) {
      io.err(`kms-drift run: not starting: no AWS region (${noRegion}): set AWS_REGION or a profile's region`);
      return 2;
    }
    return await daemon(loaded.config, io, clients, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await local?.stop();
  }
}

async function daemon(config: Config, io: CliIo, clients: AwsClients, signal: AbortSignal): Promise<number> {
  const log = pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime, level: config.logLevel ?? 'info' },
    pino.destination({ fd: 2, sync: true }),
  );
  const setup = await setupCore({ ...config, holdBreakGlass: true }, s3StateReader(clients.s3));
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) {
    io.err('kms-drift run: not starting: fix the errors above');
    return 1;
  }
  const metrics = new Metrics();
  const stopReloading = reloadStates(setup.state, config.stateReloadSeconds, metrics, log);
  let lastReceive: boolean | undefined;
  const http =
    config.httpListen === undefined
      ? undefined
      : await startHttp(config.httpListen, metrics.registry, {
          notReadyReason: () =>
            setup.state.staleReason ??
            (lastReceive === true
              ? undefined
              : lastReceive === false
                ? 'the last SQS receive failed'
                : 'no SQS receive yet'),
        });
  log.info(
    { queueUrl: config.queueUrl, states: setup.state.current().sources, pollers: config.pollers, http: http?.port },
    'DaemonStarted',
  );
  try {
    await runDaemon(
      config,
      {
        core: setup.core,
        sqs: clients.sqs,
        s3: clients.s3,
        cloudtrail: clients.cloudtrail,
        ...(config.liveKmsReads
          ? { enrich: liveReader(clients.kms, { ttlMs: 60_000, minIntervalMs: 100, now: Date.now }) }
          : {}),
        writer: pinoDriftLogWriter(1),
        log,
        metrics,
        now: Date.now,
        onReceive: (ok) => {
          lastReceive = ok;
          metrics.setReady(ok && setup.state.staleReason === undefined);
        },
      },
      signal,
    );
  } finally {
    stopReloading();
    await http?.stop();
  }
  log.info('DaemonStopped');
  return 0;
}

/** The SDK's own configuration chain: AWS_REGION, AWS_ENDPOINT_URL(_SQS|_S3), credentials. */
function defaultClients(env: NodeJS.ProcessEnv): AwsClients {
  // Keep the configured endpoint: queue URLs from emulators name hosts (sqs.<region>.localhost) that do not resolve.
  return {
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    s3: new S3Client({ forcePathStyle: env['AWS_S3_FORCE_PATH_STYLE'] === 'true' }),
    cloudtrail: new CloudTrailClient({}),
    kms: new KMSClient({}),
  };
}

/**
 * Why the SDK has no region, or undefined when it has one. The SDK finds out only at the first call, and the receive
 * loop would then retry forever: a configuration mistake is better reported at once.
 */
async function missingRegion(sqs: SQSClient): Promise<string | undefined> {
  try {
    const region = await sqs.config.region();
    return region === '' ? 'empty' : undefined;
  } catch (err: unknown) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Checks the state sources every `seconds` and swaps in a changed state; returns the function that stops it. */
function reloadStates(state: ReloadingState, seconds: number, metrics: Metrics, log: Logger): () => void {
  const count = (): void => {
    const index = state.current();
    metrics.state(new Set([...index.keysByArn.values(), ...index.keysById.values()]).size, index.aliasesByName.size);
  };
  count();
  if (seconds === 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    state
      .reloadIfChanged()
      .then(
        (result) => {
          if (result.changed) {
            count();
            log.info({ states: state.current().sources }, 'StateReloaded');
          } else if (result.problems.length > 0) {
            metrics.stateReloadFailed();
            for (const p of result.problems)
              log.error({ problem: formatProblem(p) }, 'StateReloadError: keeping the last good state');
          }
        },
        (err: unknown) => log.error({ err: String(err) }, 'StateReloadError'),
      )
      .finally(() => (running = false));
  }, seconds * 1000);
  return () => clearInterval(timer);
}
