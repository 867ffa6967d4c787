import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { setupCore } from '../../src/cli/setup.ts';
import { loadConfig, SETTINGS, settingsMarkdownTable } from '../../src/config/load.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { isJsonObject, type JsonValue } from '../../src/model/json.ts';
import { KMS_EVENT_NAMES } from '../../src/model/kms-event.ts';
import { MESSAGE_OUTCOMES, Metrics } from '../../src/sinks/metrics.ts';
import { ROOT } from '../helpers/cli.ts';
import { matchesPattern } from './event-pattern.ts';

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const ruleNames = new Set([...read('rules/kms_drift_rules.yaml').matchAll(/^- rule: (\S+)$/gm)].map((m) => m[1]));

/** The daemon's and scan's code: `run --local` (cli/local.ts) only talks to its own emulator. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'local.ts')
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

/** Dockerfile instructions of the last stage, continuation lines joined. */
function stages(): string[][] {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const out: string[][] = [];
  for (const l of lines) {
    if (/^FROM /i.test(l)) out.push([]);
    out.at(-1)?.push(l);
  }
  return out;
}

const servers: HttpServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.stop();
});

describe('Dockerfile', () => {
  const all = stages();
  const final = all.at(-1) ?? [];
  const get = (instr: string): string[] => final.filter((l) => l.startsWith(`${instr} `));

  it('every stage is the official Node 24 image, pinned by digest', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s[0]).toMatch(/^FROM node:24(-[a-z]+(-slim)?)?@sha256:[0-9a-f]{64}( AS \w+)?$/);
    // One base for every stage: the dependencies are installed by the Node that runs them.
    expect(new Set(all.map((s) => s[0]?.split(' ')[1])).size).toBe(1);
  });

  it('runs as a non-root user, the CLI as entrypoint, `run` by default, metrics on all interfaces in the container', () => {
    const user = get('USER').at(-1) ?? '';
    expect(user).toMatch(/^USER (node|[1-9]\d*)(:\d+)?$/);
    expect(get('ENTRYPOINT')).toEqual(['ENTRYPOINT ["node", "bin/kms-drift.js"]']);
    expect(get('CMD')).toEqual(['CMD ["run"]']);
    expect(final.join('\n')).toMatch(/KMS_DRIFT_HTTP_LISTEN=0\.0\.0\.0:9464/);
  });

  it('production dependencies only: no dev install in any stage the runtime copies from, sources copied', () => {
    const installs = all.flat().filter((l) => /\bnpm (ci|install|i)\b/.test(l));
    expect(installs.length).toBeGreaterThan(0);
    for (const l of installs) expect(l).toMatch(/npm ci --omit=dev/);
    const copies = final.filter((l) => l.startsWith('COPY ')).join('\n');
    for (const p of ['bin', 'src', 'rules', 'examples', 'package.json', 'package-lock.json'])
      expect(copies).toContain(p);
  });

  it('the runtime stage removes npm, npx, corepack and yarn, and runs nothing else (and nothing after USER)', () => {
    const runs = final.filter((l) => l.startsWith('RUN '));
    expect(runs).toHaveLength(1);
    const removed = (runs[0] ?? '').replace(/^RUN rm -rf /, '').split(/\s+/);
    for (const p of [
      '/usr/local/lib/node_modules',
      '/usr/local/bin/npm',
      '/usr/local/bin/npx',
      '/usr/local/bin/corepack',
    ])
      expect(removed).toContain(p);
    expect(removed).toEqual(expect.arrayContaining(['/usr/local/bin/yarn', '/usr/local/bin/yarnpkg', '/opt/yarn-*']));
    const user = final.findIndex((l) => l.startsWith('USER '));
    expect(final.findIndex((l) => l.startsWith('RUN '))).toBeLessThan(user);
  });

  it('HEALTHCHECK runs node (no curl) and really checks /healthz of the real server', async () => {
    const line = get('HEALTHCHECK').at(-1) ?? '';
    expect(line).not.toMatch(/curl|wget/);
    const exec = JSON.parse(/CMD (\[.*\])$/.exec(line)?.[1] ?? '[]') as string[];
    expect(exec.slice(0, 2)).toEqual(['node', '-e']);
    let alive = true;
    const health = {
      notReadyReason: () => 'irrelevant',
      stuckReason: () => (alive ? undefined : 'SQS receive loop 0 has not turned for 200 s'),
    };
    const server = createHttpServer({ listen: '127.0.0.1:0', registry: new Metrics().registry, health });
    servers.push(server);
    const { port } = await server.start();
    const check = async (): Promise<number> => {
      const env = { ...process.env, KMS_DRIFT_HTTP_LISTEN: `0.0.0.0:${port}` };
      return promisify(execFile)(process.execPath, exec.slice(1), { env }).then(
        () => 0,
        (err: { code?: number }) => err.code ?? -1,
      );
    };
    expect(await check()).toBe(0);
    alive = false;
    expect(await check()).toBe(1);
  });

  it('.dockerignore keeps tests, fixtures and local states out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.git', 'test', 'fixtures', '*.tfstate']) expect(ignored).toContain(p);
    expect(ignored).toContain('!examples/terraform.tfstate');
  });
});

describe('Kubernetes manifest', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS() as Record<string, unknown>);
  const kind = <T>(k: string): T => docs.find((d) => d['kind'] === k) as T;

  it('two replicas; non-root, read-only root filesystem, no privilege escalation, /tmp writable; probes', () => {
    type Container = Record<string, unknown> & { env: { name: string; value: string }[] };
    const deployment = kind<{
      spec: {
        replicas: number;
        template: { spec: { containers: Container[]; securityContext: unknown; volumes: unknown[] } };
      };
    }>('Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container).toMatchObject({
      securityContext: {
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      },
      livenessProbe: { httpGet: { path: '/healthz' } },
      readinessProbe: { httpGet: { path: '/readyz' } },
      volumeMounts: expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]),
    });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    const known = new Set(['KMS_DRIFT_CONFIG', ...SETTINGS.map((s) => s.env)]);
    for (const { name } of container?.env ?? []) expect(name.startsWith('AWS_') || known.has(name), name).toBe(true);
  });

  it('the ServiceAccount is annotated for IRSA', () => {
    expect(
      kind<{ metadata: { annotations: Record<string, string> } }>('ServiceAccount').metadata.annotations,
    ).toHaveProperty(['eks.amazonaws.com/role-arn'], expect.stringMatching(/^arn:aws:iam::/));
  });

  it('the ConfigMap, its placeholders replaced as its header says, is a config file the real loader accepts', () => {
    // Unreplaced, `arn:aws:iam::ACCOUNT:role/…` is refused: a principal pattern that can match nobody.
    const text = (kind<{ data: Record<string, string> }>('ConfigMap').data['config.yaml'] ?? '')
      .replaceAll('ACCOUNT', '111122223333')
      .replaceAll('REGION', 'us-west-2');
    const result = loadConfig({
      options: {},
      env: { KMS_DRIFT_CONFIG: '/etc/kms-drift/config.yaml' },
      readFile: () => text,
    });
    expect(result).toMatchObject({ ok: true, config: { httpListen: '0.0.0.0:9464', pollers: 1 } });
  });
});

describe('EventBridge rule', () => {
  const rule = JSON.parse(read('deploy/eventbridge-rule.json')) as { EventPattern: JsonValue };

  it('matches exactly the records kms-drift turns into events, and the KMS service events it counts', async () => {
    const { core } = await setupCore({
      states: [`${ROOT}examples/terraform.tfstate`],
      rules: [],
      terraformPrincipals: [],
    });
    const dirs = ['fixtures/cloudtrail/aws-kms-developer-guide', 'fixtures/own/cloudtrail/kms'];
    const envelopes: [string, JsonValue][] = dirs
      .flatMap((dir) => readdirSync(join(ROOT, dir)).map((f) => `${dir}/${f}`))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(read(f)) as JsonValue)
      .filter((r) => isJsonObject(r) && typeof r['eventName'] === 'string')
      // As EventBridge delivers CloudTrail records: API calls, and service events such as DeleteKey at the end of
      // the waiting period.
      .map((r) => {
        const service = isJsonObject(r) && r['eventType'] === 'AwsServiceEvent';
        const detailType = service ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail';
        return [
          String(isJsonObject(r) ? r['eventName'] : ''),
          { version: '0', id: 'x', 'detail-type': detailType, source: 'aws.kms', detail: r },
        ];
      });
    for (const f of readdirSync(join(ROOT, 'fixtures/envelopes/eventbridge'))) {
      envelopes.push([f, JSON.parse(read(`fixtures/envelopes/eventbridge/${f}`)) as JsonValue]);
    }
    const seen = new Set<string>();
    for (const [name, envelope] of envelopes) {
      const outcome = core.processPayload(envelope, name);
      // KMS's own notifications ("KMS CMK Deletion", …) are wanted so that they are counted; CloudTrail's records of
      // service actions are not (kms-drift skips them, and the notifications say the same).
      const notification = isJsonObject(envelope) && !String(envelope['detail-type']).endsWith('via CloudTrail');
      const wanted = outcome.events.length > 0 || (notification && (outcome.skipped.kms_service_event ?? 0) > 0);
      expect(matchesPattern(rule.EventPattern, envelope), name).toBe(wanted);
      if (outcome.events.length > 0) seen.add(name);
    }
    // The fixtures cover every tracked event, so the pattern has been checked for each.
    expect([...seen].sort()).toEqual([...KMS_EVENT_NAMES].sort());
  });
});

describe('dashboard and alerts', () => {
  const text = read('deploy/grafana-dashboard.json') + read('deploy/prometheus-alerts.yaml');

  it('use only metrics the registry has', async () => {
    const registered = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(
      [...text.matchAll(/\b(kms_drift_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((m) => m[1] ?? ''),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const m of used) expect(registered.has(m), m).toBe(true);
  });

  it('use only rule names, event names and SQS outcomes that exist', () => {
    // Exact names, and regex prefixes (`kms_key_policy_.*`) that must match at least one rule.
    const rules = [...text.matchAll(/\b(kms_(?:key|alias|scan|unmanaged)_[a-z_]+)(\.\*)?/g)];
    expect(rules.length).toBeGreaterThan(3);
    for (const [, name = '', wildcard] of rules) {
      const known = wildcard === undefined ? ruleNames.has(name) : [...ruleNames].some((r) => r?.startsWith(name));
      expect(known, name).toBe(true);
    }
    for (const [, names = ''] of text.matchAll(/event=~\\?"([A-Za-z|]+)\\?"/g)) {
      for (const n of names.split('|')) expect(KMS_EVENT_NAMES, n).toContain(n);
    }
    for (const [, outcome = ''] of text.matchAll(/kms_drift_sqs_messages_total\{outcome=\\?"(\w+)\\?"/g)) {
      expect(MESSAGE_OUTCOMES).toContain(outcome);
    }
  });

  it('alert on the detections and the daemon health the brief names', () => {
    const alerts = (
      parse(read('deploy/prometheus-alerts.yaml')) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    const exprOf = (name: string): string => alerts.find((a) => a.alert === name)?.expr ?? '';
    expect(exprOf('KmsKeyDeletionScheduled')).toContain('kms_key_deletion_scheduled');
    expect(exprOf('KmsKeyRotationDisabled')).toContain('kms_key_rotation_disabled');
    expect(exprOf('KmsKeyPolicyGrantsExternalAccount')).toContain('kms_key_policy_grants_external_account');
    expect(exprOf('KmsKeyDisabled')).toContain('kms_key_disabled');
    expect(exprOf('KmsDriftNotReady')).toContain('kms_drift_ready');
    expect(exprOf('KmsDriftMessagesFailing')).toContain('outcome="failed"');
    expect(exprOf('KmsDriftLagHigh')).toContain('kms_drift_event_lag_seconds_bucket');
    expect(exprOf('KmsDriftStateReloadFailing')).toContain('kms_drift_state_reload_failures_total');
  });
});

describe('IAM policy', () => {
  const policy = JSON.parse(read('deploy/iam-policy.json')) as { Statement: { Action: string[]; Resource: string }[] };

  it('allows every AWS call the code makes, and nothing else', () => {
    // Batch calls are authorized by the single call's action (SQS has no sqs:DeleteMessageBatch action).
    const IAM: Record<string, string> = {
      ReceiveMessage: 'sqs:ReceiveMessage',
      DeleteMessageBatch: 'sqs:DeleteMessage',
      ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
      GetObject: 's3:GetObject',
      HeadObject: 's3:GetObject',
      DescribeKey: 'kms:DescribeKey',
      GetKeyPolicy: 'kms:GetKeyPolicy',
      GetKeyRotationStatus: 'kms:GetKeyRotationStatus',
      ListKeys: 'kms:ListKeys',
      ListAliases: 'kms:ListAliases',
      ListResourceTags: 'kms:ListResourceTags',
      ListGrants: 'kms:ListGrants',
      LookupEvents: 'cloudtrail:LookupEvents',
      GetCallerIdentity: 'sts:GetCallerIdentity',
      // The SDK's temporary-credentials provider (scan --assume-role) calls STS AssumeRole.
      fromTemporaryCredentials: 'sts:AssumeRole',
      PutItem: 'dynamodb:PutItem',
      GetItem: 'dynamodb:GetItem',
      DeleteItem: 'dynamodb:DeleteItem',
      BatchGetItem: 'dynamodb:BatchGetItem',
      BatchWriteItem: 'dynamodb:BatchWriteItem',
    };
    const code = sources('src').join('\n');
    const calls = new Set([
      ...[...code.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? ''),
      ...[...code.matchAll(/paginate(\w+)\(/g)].map((m) => m[1] ?? ''),
      ...[...code.matchAll(/\b(fromTemporaryCredentials)\(/g)].map((m) => m[1] ?? ''),
    ]);
    const needed = new Set([...calls].map((c) => IAM[c] ?? `unmapped:${c}`));
    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...needed].sort()).toEqual([...granted].sort());
  });

  it('`*` only for actions without resource-level permissions', () => {
    const unscoped = new Set(['kms:ListKeys', 'kms:ListAliases', 'cloudtrail:LookupEvents', 'sts:GetCallerIdentity']);
    for (const s of policy.Statement) {
      if (s.Resource === '*') for (const a of s.Action) expect(unscoped.has(a), a).toBe(true);
    }
    expect(policy.Statement.find((s) => s.Action.includes('s3:GetObject'))?.Resource).toMatch(/AWSLogs\/\*$/);
  });
});

describe('docs/operations.md', () => {
  it('carries the configuration table generated from the settings', () => {
    const doc = read('docs/operations.md');
    expect(doc, `paste this table into docs/operations.md:\n${settingsMarkdownTable()}`).toContain(
      settingsMarkdownTable(),
    );
  });

  it('names every metric of the registry', async () => {
    const doc = read('docs/operations.md');
    const ours = (await new Metrics().registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => n.startsWith('kms_drift_'));
    for (const m of ours) expect(doc, m).toContain(m);
  });
});
