import type { DeclaredAlias, DeclaredIndex, DeclaredKey } from '../model/declared.ts';
import type { AliasRef, KeyRef } from '../model/kms-event.ts';

/**
 * The declaration of a key named by ARN, by bare id, or only through an alias the state declares. When both the
 * event and the declaration carry an ARN they must agree: a multi-Region replica in a Region no state manages shares
 * its primary's `mrk-` id, and must not be mistaken for the primary.
 */
export function findKey(index: DeclaredIndex, key: KeyRef | undefined): DeclaredKey | undefined {
  if (key === undefined) return undefined;
  if (key.arn !== undefined) {
    const byArn = index.keysByArn.get(key.arn);
    if (byArn !== undefined) return byArn;
  }
  if (key.keyId !== undefined) {
    const byId = index.keysById.get(key.keyId);
    if (byId !== undefined) return sameKey(byId, key.arn) ? byId : undefined;
  }
  if (key.aliasName !== undefined) {
    const alias = index.aliasesByName.get(key.aliasName);
    const target = alias === undefined ? undefined : index.keysById.get(alias.attributes.target_key_id);
    return target !== undefined && sameKey(target, key.arn) ? target : undefined;
  }
  return undefined;
}

/** An alias name is unique per account and Region only: an alias ARN that disagrees with the state's is another alias. */
export function findAlias(index: DeclaredIndex, alias: AliasRef | undefined): DeclaredAlias | undefined {
  const declared = alias === undefined ? undefined : index.aliasesByName.get(alias.name);
  if (declared === undefined) return undefined;
  return alias?.arn === undefined || declared.arn === undefined || declared.arn === alias.arn ? declared : undefined;
}

function sameKey(declared: DeclaredKey, eventArn: string | undefined): boolean {
  return eventArn === undefined || declared.arn === undefined || declared.arn === eventArn;
}
