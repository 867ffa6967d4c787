import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.ts';

const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

// The table the code expects (src/store/dynamodb*.ts: partition key `pk`, expiry in `expires`), as the template
// creates it and the IAM policy grants it.
describe('the shared DynamoDB table of deploy/', () => {
  const template = parse(read('deploy/cloudformation-queue.yaml')) as {
    Parameters: { TableName: { Default: string } };
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table');

  it('has the partition key `pk` and TTL on `expires`, the attributes the store writes', () => {
    expect(table?.Properties['KeySchema']).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table?.Properties['AttributeDefinitions']).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(table?.Properties['TimeToLiveSpecification']).toEqual({ AttributeName: 'expires', Enabled: true });
    const code = ['src/store/dynamodb.ts', 'src/store/dynamodb-items.ts', 'src/store/dynamodb-history.ts'].map(read);
    expect(code.join('\n')).toMatch(/expires: expiresAt\(/);
  });

  it('is the table the IAM policy grants, on that table only', () => {
    const iam = JSON.parse(read('deploy/iam-policy.json')) as { Statement: { Action: string[]; Resource: string }[] };
    const dynamo = iam.Statement.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => s.Resource)).toEqual([
      `arn:aws:dynamodb:REGION:ACCOUNT:table/${template.Parameters.TableName.Default}`,
    ]);
  });

  it('is the table the Kubernetes config names', () => {
    expect(read('deploy/kubernetes.yaml')).toContain(`sharedTable: ${template.Parameters.TableName.Default}`);
  });
});
