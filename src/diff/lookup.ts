import type {
  DeclaredAlias,
  DeclaredCustomKeyStore,
  DeclaredGrant,
  DeclaredIndex,
  DeclaredKey,
  Scope,
} from '../model/declared.ts';
import type { AliasRef, KeyRef } from '../model/kms-event.ts';
import { aliasArnIn, keyArnIn, parseKmsArn, partitionOfRegion } from '../model/arn.ts';

// Every lookup is scoped: a key id, alias name or grant id names a resource only within its account and Region, and an
// organization's states declare the same alias names (and multi-Region ids) in many of them. A declaration without
// account and Region (no `arn` in the state) is matched by id or name alone, and only when it is the only one.

/** The declaration of a key named by ARN, by id in the event's account and Region, or through an alias there. */
export function findKey(index: DeclaredIndex, key: KeyRef | undefined): DeclaredKey | undefined {
  if (key === undefined) return undefined;
  if (key.arn !== undefined) {
    const byArn = index.keysByArn.get(key.arn);
    if (byArn !== undefined) return byArn;
  }
  if (key.keyId !== undefined && key.keyId !== '') {
    const scope = key.arn === undefined ? scopeOfRef(key) : undefined;
    if (scope !== undefined) {
      const scoped = index.keysByArn.get(keyArnIn(scope, key.keyId));
      if (scoped !== undefined) return scoped;
    }
    // A declaration without an ARN (or an event ARN no declaration has): rare, and cheap to ask when the map is empty.
    return index.unscopedKeys.size === 0 ? undefined : only(index.unscopedKeys.get(key.keyId));
  }
  const scope = scopeOfRef(key);
  if (key.aliasName !== undefined) {
    const alias = findAlias(index, {
      name: key.aliasName,
      ...(scope === undefined ? {} : { partition: scope.partition, account: scope.account, region: scope.region }),
    });
    if (alias === undefined) return undefined;
    const target = alias.attributes.target_key_id;
    const aliasArn = alias.arn === undefined ? undefined : parseKmsArn(alias.arn);
    const inScope =
      aliasArn === undefined
        ? undefined
        : index.keysByArn.get(
            keyArnIn({ partition: aliasArn.partition, account: aliasArn.account, region: aliasArn.region }, target),
          );
    return inScope ?? only(index.unscopedKeys.get(target));
  }
  return undefined;
}

/** The declaration of an alias named by ARN, or by name in the event's account and Region. */
export function findAlias(index: DeclaredIndex, alias: AliasRef | undefined): DeclaredAlias | undefined {
  if (alias === undefined) return undefined;
  const arn = alias.arn ?? scopedArn(alias);
  const scoped = arn === undefined ? undefined : index.aliasesByArn.get(arn);
  return scoped ?? only(index.unscopedAliases.get(alias.name));
}

/** A grant by its key and grant id: Terraform's `<key>:<grant id>`, with the key as ARN or as configured. */
export function findGrant(
  index: DeclaredIndex,
  key: KeyRef | undefined,
  declaredKey: DeclaredKey | undefined,
  grantId: string | undefined,
): DeclaredGrant | undefined {
  if (grantId === undefined || grantId === '') return undefined;
  const arn = key?.arn ?? declaredKey?.arn;
  const keyId = key?.keyId ?? declaredKey?.keyId;
  return (
    (arn === undefined ? undefined : index.grants.get(`${arn}:${grantId}`)) ??
    (keyId === undefined ? undefined : index.grants.get(`${keyId}:${grantId}`))
  );
}

export function findCustomKeyStore(index: DeclaredIndex, id: string | undefined): DeclaredCustomKeyStore | undefined {
  return id === undefined ? undefined : index.customKeyStores.get(id);
}

function scopeOfRef(ref: KeyRef | AliasRef): Scope | undefined {
  if (ref.account === undefined || ref.region === undefined || ref.account === '' || ref.region === '') {
    return undefined;
  }
  return { partition: ref.partition ?? partitionOfRegion(ref.region), account: ref.account, region: ref.region };
}

function scopedArn(alias: AliasRef): string | undefined {
  const scope = scopeOfRef(alias);
  return scope === undefined ? undefined : aliasArnIn(scope, alias.name);
}

function only<T>(list: readonly T[] | undefined): T | undefined {
  return list !== undefined && list.length === 1 ? list[0] : undefined;
}
