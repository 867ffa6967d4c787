import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../src/config/load.ts';
import { KMS_EVENT_NAMES } from '../../src/model/kms-event.ts';
import { Metrics } from '../../src/sinks/metrics.ts';
import { ROOT } from '../helpers/cli.ts';

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const ruleNames = new Set([...read('rules/kms_drift_rules.yaml').matchAll(/^- rule: (\S+)$/gm)].map((m) => m[1]));

/** The daemon's and scan's code: `run --local` (cli/local.ts) only talks to its own emulator. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'local.ts')
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

describe('deployment artefacts keep their promises', () => {
  it('Dockerfile: official Node 24 image, production dependencies only, non-root, healthcheck, the CLI as entrypoint', () => {
    const docker = read('Dockerfile');
    const stages = docker.split(/^FROM /m).slice(1);
    expect(stages.every((s) => s.startsWith('node:24'))).toBe(true);
    const final = stages[stages.length - 1] ?? '';
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^HEALTHCHECK [\s\S]*?\/healthz/m);
    expect(final).toMatch(/^ENTRYPOINT \["node", "bin\/kms-drift.js"\]$/m);
    expect(docker).toMatch(/npm ci --omit=dev/);
    expect(docker).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
  });

  it('Kubernetes: non-root, read-only root filesystem, no privilege escalation, probes on health and readiness', () => {
    const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS() as Record<string, unknown>);
    const deployment = docs.find((d) => d['kind'] === 'Deployment') as {
      spec: { template: { spec: { containers: Record<string, unknown>[]; securityContext: Record<string, unknown> } } };
    };
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] ?? {};
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container['securityContext']).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container['livenessProbe']).toMatchObject({ httpGet: { path: '/healthz' } });
    expect(container['readinessProbe']).toMatchObject({ httpGet: { path: '/readyz' } });
    const config = docs.find((d) => d['kind'] === 'ConfigMap') as { data: Record<string, string> };
    const known = new Set(SETTINGS.map((s) => s.env));
    for (const name of Object.keys(config.data))
      expect(name.startsWith('AWS_') || known.has(name as never), name).toBe(true);
  });

  it('the EventBridge pattern lists exactly the events kms-drift normalizes', () => {
    const rule = JSON.parse(read('deploy/eventbridge-rule.json')) as {
      EventPattern: { detail: { eventName: string[] } };
    };
    expect([...rule.EventPattern.detail.eventName].sort()).toEqual([...KMS_EVENT_NAMES].sort());
  });

  it('dashboard and alerts use only metrics the registry has and rules that exist', async () => {
    const registered = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const text = read('deploy/grafana-dashboard.json') + read('deploy/prometheus-alerts.yaml');
    const metrics = new Set(
      [...text.matchAll(/\b(kms_drift_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((m) => m[1] ?? ''),
    );
    expect(metrics.size).toBeGreaterThan(5);
    for (const m of metrics) expect(registered.has(m), m).toBe(true);
    // Exact names, and regex prefixes (`kms_key_policy_.*`) that must match at least one rule.
    const rules = [...text.matchAll(/\b(kms_(?:key|alias|scan|unmanaged)_[a-z_]+)(\.\*)?/g)];
    expect(rules.length).toBeGreaterThan(3);
    for (const [, name = '', wildcard] of rules) {
      const known = wildcard === undefined ? ruleNames.has(name) : [...ruleNames].some((r) => r?.startsWith(name));
      expect(known, name).toBe(true);
    }
    expect(parse(read('deploy/prometheus-alerts.yaml'))).toHaveProperty('groups');
  });

  it('the IAM policy allows every AWS call the code makes, and nothing else', () => {
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
      LookupEvents: 'cloudtrail:LookupEvents',
    };
    const code = sources('src').join('\n');
    const calls = new Set([
      ...[...code.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? ''),
      ...[...code.matchAll(/paginate(\w+)\(/g)].map((m) => m[1] ?? ''),
    ]);
    const needed = new Set([...calls].map((c) => IAM[c] ?? `unmapped:${c}`));
    const policy = JSON.parse(read('deploy/iam-policy.json')) as { Statement: { Action: string[] }[] };
    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    expect([...needed].sort()).toEqual([...granted].sort());
  });

  it('docs/operations.md documents every setting', () => {
    const doc = read('docs/operations.md');
    for (const s of SETTINGS) expect(doc, s.env).toContain(`| \`${s.env}\` | \`--${s.option}\` |`);
  });
});
