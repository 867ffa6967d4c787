import type { DeclaredIndex } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { AliasChange, KmsEvent } from '../model/kms-event.ts';
import { aliasArnIn, bareKeyId, parseKmsArn } from '../model/arn.ts';
import { findAlias } from './lookup.ts';
import { optional, verdict, type Changes, type Values } from './compare.ts';

export function diffAlias(
  event: KmsEvent,
  change: AliasChange,
  index: DeclaredIndex,
  byTerraform: boolean,
): DriftFinding {
  const name = event.alias?.name;
  const declared = findAlias(index, event.alias);
  const actual: Values = { ...(change.attributes as Values) };
  const expected: Values = { ...(declared?.attributes as Values | undefined) };
  const keyArn = event.key?.arn === undefined ? undefined : parseKmsArn(event.key.arn);
  // DeleteAlias records carry the alias ARN only in resources[]; when it is missing, the key's ARN gives the
  // account and region the alias lives in.
  const arn =
    event.alias?.arn ??
    declared?.arn ??
    (keyArn !== undefined && name !== undefined ? aliasArnIn(keyArn, name) : undefined);
  const parsed = arn === undefined ? undefined : parseKmsArn(arn);
  const base = {
    event,
    resourceType: 'aws_kms_alias' as const,
    ...optional('resource', arn ?? name),
    ...optional('account', parsed?.account ?? event.account),
    ...optional('region', parsed?.region ?? event.region),
    actual,
    expected,
    byTerraform,
  };
  return verdict(
    base,
    declared,
    change.deleted === true,
    (d) => ({ alias_name: { expected: d.name, actual: null } }),
    (d) => {
      const changes: Changes = {};
      // The provider treats a key ARN and its id as the same target (DiffSuppress on target_key_id).
      const target = typeof actual.target_key_id === 'string' ? bareKeyId(actual.target_key_id) : undefined;
      if (target !== undefined && target !== d.attributes.target_key_id) {
        changes.target_key_id = { expected: d.attributes.target_key_id, actual: target };
      }
      return {
        driftType: Object.keys(changes).length > 0 ? 'modified' : target === undefined ? 'none' : 'in_sync',
        changes,
      };
    },
  );
}
