import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  paginateListAliases,
  paginateListKeys,
  paginateListResourceTags,
  type KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';

/** A customer managed key as the KMS API shows it now. */
export interface KeyReading {
  readonly metadata: KeyMetadata;
  readonly policy?: string;
  readonly rotation?: { readonly enabled: boolean; readonly periodInDays?: number };
  readonly tags: Readonly<Record<string, string>>;
}

export interface AliasReading {
  readonly name: string;
  readonly arn?: string;
  readonly targetKeyId?: string;
}

/** A key the listing names that the caller may not read (its key policy does not let the scan role in). */
export interface DeniedReading {
  readonly denied: string;
  readonly keyId: string;
  readonly reason: string;
}

/**
 * Every customer managed key and alias of the client's account and region, paginated. AWS managed keys and
 * `alias/aws/*` are skipped: nobody declares them in Terraform. The SDK retries throttling itself. A key that may not
 * be read is yielded as denied and the listing goes on; any other failure ends the read.
 */
export async function* readAccount(client: KMSClient): AsyncIterable<KeyReading | AliasReading | DeniedReading> {
  for await (const page of paginateListKeys({ client }, {})) {
    for (const entry of page.Keys ?? []) {
      if (entry.KeyId === undefined) continue;
      try {
        const { KeyMetadata: metadata } = await client.send(new DescribeKeyCommand({ KeyId: entry.KeyId }));
        if (metadata === undefined || metadata.KeyManager === 'AWS') continue;
        yield await readKey(client, metadata);
      } catch (err: unknown) {
        if (!isAccessDenied(err)) throw err;
        yield { denied: entry.KeyArn ?? entry.KeyId, keyId: entry.KeyId, reason: errorText(err) };
      }
    }
  }
  for await (const page of paginateListAliases({ client }, {})) {
    for (const alias of page.Aliases ?? []) {
      if (alias.AliasName === undefined || alias.AliasName.startsWith('alias/aws/')) continue;
      yield {
        name: alias.AliasName,
        ...(alias.AliasArn === undefined ? {} : { arn: alias.AliasArn }),
        ...(alias.TargetKeyId === undefined ? {} : { targetKeyId: alias.TargetKeyId }),
      };
    }
  }
}

export async function readKey(client: KMSClient, metadata: KeyMetadata): Promise<KeyReading> {
  const keyId = metadata.KeyId ?? '';
  const pending = metadata.KeyState === 'PendingDeletion' || metadata.KeyState === 'PendingReplicaDeletion';
  const { Policy: policy } = await client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  // Rotation applies to symmetric AWS_KMS keys only, and is not readable while a key waits for deletion.
  const rotation =
    metadata.KeySpec === 'SYMMETRIC_DEFAULT' && metadata.Origin === 'AWS_KMS' && !pending
      ? await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))
      : undefined;
  const tags: Record<string, string> = {};
  for await (const page of paginateListResourceTags({ client }, { KeyId: keyId })) {
    for (const t of page.Tags ?? []) if (t.TagKey !== undefined) tags[t.TagKey] = t.TagValue ?? '';
  }
  return {
    metadata,
    ...(policy === undefined ? {} : { policy }),
    ...(rotation === undefined
      ? {}
      : {
          rotation: {
            enabled: rotation.KeyRotationEnabled ?? false,
            ...(rotation.RotationPeriodInDays === undefined ? {} : { periodInDays: rotation.RotationPeriodInDays }),
          },
        }),
    tags,
  };
}

export function isAccessDenied(err: unknown): boolean {
  return err instanceof Error && err.name === 'AccessDeniedException';
}

export function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'NotFoundException';
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
