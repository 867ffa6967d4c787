import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { roleArnFor, type ScanTarget } from './targets.ts';

/**
 * A KMS client for one account and Region. With a role template, the SDK's temporary-credentials provider assumes
 * the account's role through STS (and refreshes it before it expires); without, the default credential chain.
 * Adaptive retry: the SDK backs off on throttling and slows its own request rate, so concurrent targets and a busy
 * account stay within the KMS request quotas (which are per account and Region).
 */
export function kmsClientFor(target: ScanTarget, roleTemplate: string | undefined): KMSClient {
  return new KMSClient({
    region: target.region,
    retryMode: 'adaptive',
    ...(roleTemplate === undefined
      ? {}
      : {
          credentials: fromTemporaryCredentials({
            params: { RoleArn: roleArnFor(roleTemplate, target), RoleSessionName: 'kms-drift-scan' },
            clientConfig: { region: target.region },
          }),
        }),
  });
}

/** The credentials' own account and partition, and the SDK's Region (undefined when none is configured). */
export async function callerIdentity(): Promise<{ account: string; partition: string; region: string | undefined }> {
  const region = await new KMSClient({}).config.region().catch(() => undefined);
  // STS answers GetCallerIdentity in every Region; us-east-1 when none is configured, as the global endpoint.
  const sts = new STSClient({ region: region ?? 'us-east-1' });
  try {
    const { Account: account, Arn: arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (account === undefined) throw new Error('STS GetCallerIdentity returned no account');
    return { account, partition: arn?.split(':')[1] ?? 'aws', region };
  } finally {
    sts.destroy();
  }
}
