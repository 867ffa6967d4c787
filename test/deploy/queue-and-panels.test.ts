import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../src/config/load.ts';
import { Metrics } from '../../src/sinks/metrics.ts';
import { ROOT } from '../helpers/cli.ts';

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

/** What the CloudFormation template is read as: long-form intrinsics only, so plain YAML parses it. */
interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

describe('deploy/cloudformation-queue.yaml', () => {
  const template = parse(read('deploy/cloudformation-queue.yaml')) as { Resources: Record<string, Resource> };
  const resources = template.Resources;
  const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('a queue whose redrive goes to a dead-letter queue after 5 receives, kept longer than the source', () => {
    const queue = resources['Queue']?.Properties ?? {};
    const dlq = resources['DeadLetterQueue']?.Properties ?? {};
    expect(ofType('AWS::SQS::Queue')).toHaveLength(2);
    expect(queue['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(Number(dlq['MessageRetentionPeriod'])).toBeGreaterThan(Number(queue['MessageRetentionPeriod']));
    const visibility = SETTINGS.find((s) => s.name === 'visibilityTimeoutSeconds')?.default;
    expect(queue['VisibilityTimeout']).toBe(visibility);
    const wait = SETTINGS.find((s) => s.name === 'waitTimeSeconds')?.default;
    expect(queue['ReceiveMessageWaitTimeSeconds']).toBe(wait);
  });

  it('the rule has the pattern of deploy/eventbridge-rule.json and targets the queue', () => {
    const standalone = JSON.parse(read('deploy/eventbridge-rule.json')) as { EventPattern: unknown };
    const [[, rule] = ['', { Type: '', Properties: {} }]] = ofType('AWS::Events::Rule');
    expect(rule.Properties['EventPattern']).toEqual(standalone.EventPattern);
    expect(rule.Properties['Targets']).toEqual([{ Id: 'kms-drift-queue', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } }]);
  });

  it('the queue policy lets only this rule, through events.amazonaws.com, send', () => {
    const [[, policy] = ['', { Type: '', Properties: {} }]] = ofType('AWS::SQS::QueuePolicy');
    expect(policy.Properties['Queues']).toEqual([{ Ref: 'Queue' }]);
    const doc = policy.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] };
    expect(doc.Statement).toEqual([
      {
        Sid: 'EventBridgeRuleSendsToQueue',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Rule', 'Arn'] } } },
      },
    ]);
  });

  it('the queue name is the one the IAM policy grants', () => {
    const name = (parse(read('deploy/cloudformation-queue.yaml')) as { Parameters: { QueueName: { Default: string } } })
      .Parameters.QueueName.Default;
    const iam = JSON.parse(read('deploy/iam-policy.json')) as { Statement: { Action: string[]; Resource: string }[] };
    const sqs = iam.Statement.filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([`arn:aws:sqs:REGION:ACCOUNT:${name}`]);
  });
});

describe('Grafana dashboard', () => {
  interface Panel {
    readonly id: number;
    readonly title: string;
    readonly datasource: { readonly uid: string };
    readonly targets: readonly { readonly expr: string }[];
  }
  const dashboard = JSON.parse(read('deploy/grafana-dashboard.json')) as {
    __inputs: { name: string; type: string }[];
    panels: Panel[];
  };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

  it('is importable: the DS_PROMETHEUS input, unique panel ids, every panel on ${DS_PROMETHEUS}', () => {
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource' }));
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.datasource.uid, p.title).toBe('${DS_PROMETHEUS}');
  });

  it('has the panels operators look for', () => {
    const wanted = [
      /kms_drift_logs_total\{rule=~"kms_key_policy_\.\*"\}/,
      /kms_drift_logs_total\{rule="kms_key_deletion_scheduled"\}/,
      /kms_drift_logs_total\{rule=~"kms_key_rotation_\.\*"\}/,
      /kms_drift_events_total\{event=~"DisableKey\|EnableKey\|ScheduleKeyDeletion\|CancelKeyDeletion"\}/,
      /sum by \(priority\) \(increase\(kms_drift_logs_total/,
      /sum by \(outcome\) \(rate\(kms_drift_sqs_messages_total/,
      /histogram_quantile\(0\.5, sum by \(le\) \(rate\(kms_drift_processing_seconds_bucket/,
      /histogram_quantile\(0\.99, sum by \(le\) \(rate\(kms_drift_processing_seconds_bucket/,
      /histogram_quantile\(0\.99, sum by \(le\) \(rate\(kms_drift_event_lag_seconds_bucket/,
      /kms_drift_ready/,
    ];
    for (const w of wanted)
      expect(
        exprs.some((e) => w.test(e)),
        String(w),
      ).toBe(true);
  });
});

describe('label names in queries', () => {
  it('every label a dashboard or alert selector names is a label of that metric', () => {
    const registry = new Metrics().registry;
    const labelsOf = (name: string): readonly string[] | undefined => {
      const m = registry.getSingleMetric(name);
      if (m === undefined) return undefined;
      return 'labelNames' in m && Array.isArray(m.labelNames) ? m.labelNames.map(String) : [];
    };
    const text = read('deploy/grafana-dashboard.json').replaceAll('\\"', '"') + read('deploy/prometheus-alerts.yaml');
    let checked = 0;
    for (const [, metric = '', suffix, selector = ''] of text.matchAll(
      /\b(kms_drift_[a-z_]+?)(_bucket|_sum|_count)?\{([^}]*)\}/g,
    )) {
      const labels = labelsOf(metric);
      expect(labels, metric).toBeDefined();
      const allowed = new Set([...(labels ?? []), 'job', 'instance', ...(suffix === '_bucket' ? ['le'] : [])]);
      for (const [, label = ''] of selector.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) {
        expect(allowed.has(label), `${metric}{${label}}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('alerts beyond the detections', () => {
  const alerts = (
    parse(read('deploy/prometheus-alerts.yaml')) as {
      groups: { rules: { alert: string; expr: string; for?: string }[] }[];
    }
  ).groups.flatMap((g) => g.rules);

  it('fire when no replica is ready, and when no replica is scraped (whatever the scrape job is called)', () => {
    expect(alerts.find((a) => a.alert === 'KmsDriftNotReady')).toMatchObject({
      expr: expect.stringMatching(/kms_drift_ready\)? == 0/),
      for: '5m',
    });
    expect(alerts.find((a) => a.alert === 'KmsDriftDown')?.expr).toBe('absent(kms_drift_ready)');
    expect(alerts.find((a) => a.alert === 'KmsDriftLagHigh')?.expr).toMatch(/> 900$/);
  });

  it('every alert has a promtool unit test, and every detection its first-event cases (born at 0, born at 1)', () => {
    const tests = (
      parse(read('deploy/prometheus-alerts.test.yaml')) as {
        rule_files: string[];
        tests: {
          input_series: { series: string; values: string }[];
          alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
        }[];
      }
    ).tests;
    expect((parse(read('deploy/prometheus-alerts.test.yaml')) as { rule_files: string[] }).rule_files).toEqual([
      'prometheus-alerts.yaml',
    ]);
    for (const a of alerts) {
      const firing = tests.filter((t) =>
        t.alert_rule_test.some((c) => c.alertname === a.alert && c.exp_alerts.length > 0),
      );
      expect(firing.length, `${a.alert} fires in some test`).toBeGreaterThan(0);
      expect(
        tests.some((t) => t.alert_rule_test.some((c) => c.alertname === a.alert && c.exp_alerts.length === 0)),
        `${a.alert} stays silent in some test`,
      ).toBe(true);
    }
    const deletion = tests.filter((t) => t.alert_rule_test.some((c) => c.alertname === 'KmsKeyDeletionScheduled'));
    const starts = deletion.flatMap((t) =>
      t.input_series.filter((s) => s.series.includes('kms_key_deletion_scheduled')).map((s) => s.values.trim()),
    );
    expect(starts.some((v) => /^0 .*\b1\b/.test(v))).toBe(true);
    expect(starts.some((v) => /^(_ )*1\b/.test(v))).toBe(true);
  });

  it('alert names are unique', () => {
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('Kubernetes resources', () => {
  it('requests 50m/128Mi, limits 500m/256Mi; a Service in front of the metrics port', () => {
    const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS() as Record<string, unknown>);
    const deployment = docs.find((d) => d['kind'] === 'Deployment') as {
      spec: { template: { spec: { containers: { resources: unknown; ports: { containerPort: number }[] }[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(container?.ports.map((p) => p.containerPort)).toEqual([9464]);
    const service = docs.find((d) => d['kind'] === 'Service') as { spec: { ports: { port: number }[] } } | undefined;
    expect(service?.spec.ports.map((p) => p.port)).toEqual([9464]);
  });
});
