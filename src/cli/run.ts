import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { liveReader } from '../kms/live-reads.ts';
import { pino } from 'pino';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { runDaemon } from '../daemon.ts';
import { createHttpServer, ListenError } from '../http/server.ts';
import { HealthTracker } from '../http/health.ts';
import { internalEvents, type Emit } from '../observe/internal-events.ts';
import { AWS_MAX_ATTEMPTS, daemonBounds } from '../config/bounds.ts';
import { formatProblem } from '../model/problem.ts';
import { declaredCounts } from '../model/declared.ts';
import { Metrics } from '../sinks/metrics.ts';
import { pinoDriftLogWriter } from '../sinks/stdout.ts';
import { alertOutput } from './alert-output.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { describeReadSet } from '../normalize/read-set.ts';
import type { ReloadingState } from '../terraform/reloading-state.ts';
import { startLocal } from './local.ts';
import { s3StateReader } from '../sources/s3/state-reader.ts';
import type { AwsClients } from './aws-clients.ts';
import { findCommand } from './commands.ts';
import { EXIT } from './exit-codes.ts';
import { parseCommand } from './parse.ts';

export type { AwsClients } from './aws-clients.ts';

/**
 * `kms-drift run`: the daemon. Exit 0 after a clean shutdown (SIGTERM/SIGINT), 1 when rules or state are unusable,
 * 2 when the configuration is (no queue, bad values — every problem listed).
 */
export async function run(args: readonly string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  // The options are the settings table's rows (src/cli/options.ts): every setting is an option, a variable, a key.
  const spec = findCommand('run');
  if (spec === undefined) throw new Error('no run command in the command table');
  const { values } = parseCommand(spec, args);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // `on`, not `once`: a second signal during the shutdown must not kill the process with in-flight messages.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  removeEarlySignalHandlers();
  const local = values['local'] === true ? await startLocal(io) : undefined;
  if (local !== undefined && 'unavailable' in local) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    io.err(`kms-drift run --local: ${local.unavailable}`);
    return EXIT.usage;
  }
  let clients: AwsClients | undefined;
  try {
    const loaded = loadConfig(local === undefined ? values : { ...local.options, ...values }, env);
    if ('problems' in loaded) {
      for (const p of loaded.problems) io.err(formatProblem(p));
      io.err('kms-drift run: not starting (see `kms-drift run --help`)');
      return 2;
    }
    clients = local?.clients ?? defaultClients(env, loaded.config);
    const noRegion = await missingRegion(clients.sqs);
    if (noRegion !== undefined) {
      io.err(`kms-drift run: not starting: no AWS region (${noRegion}): set AWS_REGION or a profile's region`);
      return 2;
    }
    return await daemon(loaded.config, io, clients, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // Closes their sockets: a call still waiting (a state read abandoned at SIGTERM) must not keep the process up.
    if (clients !== undefined) for (const client of Object.values(clients)) client.destroy();
    await local?.stop();
  }
}

async function daemon(config: Config, io: CliIo, clients: AwsClients, signal: AbortSignal): Promise<number> {
  const log = pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime, level: config.logLevel ?? 'info' },
    pino.destination({ fd: 2, sync: true }),
  );
  const metrics = new Metrics();
  const health = new HealthTracker({ now: Date.now });
  metrics.trackReadiness(() => health.notReadyReason() === undefined);
  const emit = internalEvents(log, metrics, health, Date.now);
  // The HTTP server comes first: a busy port is reported before anything loads, and while rules and states load
  // /healthz answers and /readyz says what it waits for.
  const http =
    config.httpListen === undefined
      ? undefined
      : createHttpServer({ listen: config.httpListen, registry: metrics.registry, health });
  let port: number | undefined;
  try {
    port = (await http?.start())?.port;
    if (port !== undefined) emit({ type: 'HttpServerStarted', port });
  } catch (err: unknown) {
    if (!(err instanceof ListenError)) throw err;
    io.err(`kms-drift run: not starting: httpListen: ${err.message}`);
    return 2;
  }
  let stopReloading = (): void => undefined;
  try {
    // SIGTERM while states load from S3: stop now, not when the reads time out.
    const setup = await untilAborted(
      setupCore({ ...config, holdBreakGlass: true }, s3StateReader(abortable(clients.s3, signal))),
      signal,
    );
    if (setup === undefined) return 0;
    for (const p of setup.problems) io.err(formatProblem(p));
    if (!setup.ok) {
      io.err('kms-drift run: not starting: fix the errors above');
      return 1;
    }
    metrics.declareRules(setup.ruleset.rules.map((r) => ({ name: r.name, priority: r.priority })));
    health.rulesLoaded();
    health.stateStatus(setup.state.staleReason);
    emit({ type: 'StateLoaded', states: setup.state.current().sources, ...declared(setup.state) });
    stopReloading = reloadStates(setup.state, config.stateReloadSeconds, emit, health);
    emit({
      type: 'DaemonStarted',
      queueUrl: config.queueUrl,
      states: setup.state.current().sources,
      pollers: config.pollers,
      http: port,
      reads: describeReadSet(setup.core.readSet),
    });
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
        writer: pinoDriftLogWriter(1, { batched: true }),
        ...(config.httpOutput === undefined ? {} : { alerts: alertOutput(config, config.httpOutput, emit) }),
        emit,
        now: Date.now,
      },
      signal,
    );
    emit({ type: 'DaemonStopped' });
    return 0;
  } finally {
    stopReloading();
    await http?.stop();
  }
}

/** `work`'s result, or undefined as soon as `signal` aborts (the work is abandoned; run destroys its clients). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let onAbort = (): void => undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The same S3 client, with every call aborted by `signal`: a state read still waiting at SIGTERM ends then (closing
 * the client's sockets is not enough: the SDK retries on a new connection).
 */
function abortable(client: S3Client, signal: AbortSignal): S3Client {
  const send = (command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) =>
    client.send(command, { ...options, abortSignal: signal });
  return new Proxy(client, { get: (target, key) => (key === 'send' ? send : Reflect.get(target, key)) });
}

/**
 * The SDK's own configuration chain (AWS_REGION, AWS_ENDPOINT_URL(_SQS|_S3), credentials), with every call bounded:
 * connecting, the response (ReceiveMessage: on top of its long-poll wait, set per call by the consumer), a response
 * body that stops arriving (the socket's idle time), and a fixed number of attempts, so a silent endpoint costs a
 * failed call and never a stuck loop.
 */
function defaultClients(env: NodeJS.ProcessEnv, config: Config): AwsClients {
  const bounds = daemonBounds(config);
  const bounded = (idleMs: number) => ({
    requestHandler: {
      connectionTimeout: bounds.connectTimeoutMs,
      requestTimeout: bounds.responseTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: idleMs,
    },
    maxAttempts: AWS_MAX_ATTEMPTS,
  });
  // Keep the configured endpoint: queue URLs from emulators name hosts (sqs.<region>.localhost) that do not resolve.
  return {
    // A long poll is silent for up to its wait: the idle bound of SQS sockets covers a whole receive.
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false, ...bounded(bounds.receiveTimeoutMs) }),
    s3: new S3Client({
      forcePathStyle: env['AWS_S3_FORCE_PATH_STYLE'] === 'true',
      ...bounded(bounds.responseTimeoutMs),
    }),
    cloudtrail: new CloudTrailClient(bounded(bounds.responseTimeoutMs)),
    kms: new KMSClient(bounded(bounds.responseTimeoutMs)),
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

function declared(state: ReloadingState): { keys: number; aliases: number } {
  const counts = declaredCounts(state.current());
  return { keys: counts.keys, aliases: counts.aliases };
}

/** Checks the state sources every `seconds` and swaps in a changed state; returns the function that stops it. */
function reloadStates(state: ReloadingState, seconds: number, emit: Emit, health: HealthTracker): () => void {
  if (seconds === 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    state
      .reloadIfChanged()
      .then(
        (result) => {
          if (result.changed) emit({ type: 'StateReloaded', states: state.current().sources, ...declared(state) });
          else if (result.problems.length > 0)
            emit({ type: 'StateReloadError', problems: result.problems.map(formatProblem) });
        },
        (err: unknown) => emit({ type: 'StateReloadError', problems: [String(err)] }),
      )
      .finally(() => {
        health.stateStatus(state.staleReason);
        running = false;
      });
  }, seconds * 1000);
  return () => clearInterval(timer);
}

/** bin/kms-drift.js ends the process on a signal until this point (nothing was in flight); from here run() decides. */
function removeEarlySignalHandlers(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const listener of process.listeners(signal)) {
      if ('kmsDriftEarly' in listener) process.off(signal, listener);
    }
  }
}
