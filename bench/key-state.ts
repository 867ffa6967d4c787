import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A state of `n` managed keys (one module, for_each), as a large organisation's KMS module would write it. */
export function writeKeyState(dir: string, n: number): { path: string; keyIds: string[] } {
  const keyIds = Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
    ],
  });
  const instances = keyIds.map((id) => ({
    index_key: id,
    schema_version: 0,
    attributes: {
      id,
      key_id: id,
      arn: `arn:aws:kms:us-west-2:111122223333:key/${id}`,
      is_enabled: true,
      enable_key_rotation: true,
      rotation_period_in_days: 365,
      policy,
      description: `key ${id}`,
      tags: { Team: 'a' },
      tags_all: { Team: 'a' },
      key_usage: 'ENCRYPT_DECRYPT',
      customer_master_key_spec: 'SYMMETRIC_DEFAULT',
      multi_region: false,
    },
  }));
  const path = join(dir, 'keys.tfstate');
  writeFileSync(
    path,
    JSON.stringify({
      version: 4,
      terraform_version: '1.9.8',
      serial: 1,
      lineage: 'bench',
      outputs: {},
      resources: [
        {
          module: 'module.kms',
          mode: 'managed',
          type: 'aws_kms_key',
          name: 'this',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances,
        },
      ],
    }),
  );
  return { path, keyIds };
}
