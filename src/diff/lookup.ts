import type { DeclaredAlias, DeclaredIndex, DeclaredKey } from '../model/declared.ts';
import type { KeyRef } from '../model/kms-event.ts';

/** The declaration of a key named by ARN, by id, or only through an alias the state declares. */
export function findKey(index: DeclaredIndex, key: KeyRef | undefined): DeclaredKey | undefined {
  if (key === undefined) return undefined;
  if (key.arn !== undefined) {
    const byArn = index.keysByArn.get(key.arn);
    if (byArn !== undefined) return byArn;
  }
  if (key.keyId !== undefined) return index.keysById.get(key.keyId);
  if (key.aliasName !== undefined) {
    const alias = index.aliasesByName.get(key.aliasName);
    return alias === undefined ? undefined : index.keysById.get(alias.attributes.target_key_id);
  }
  return undefined;
}

export function findAlias(index: DeclaredIndex, name: string | undefined): DeclaredAlias | undefined {
  return name === undefined ? undefined : index.aliasesByName.get(name);
}
