import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

// A small STS server for tests: the Query protocol (POST, form-encoded `Action=…&Version=2011-06-15&…`) answered in
// XML, errors as `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code>…` with HTTP 403 — as the STS API reference
// describes them, so the SDK's temporary-credentials provider and @aws-sdk/client-sts talk to it. Only the two calls
// a scan makes: GetCallerIdentity and AssumeRole.

export interface StsServer {
  readonly endpoint: string;
  /** Roles assumed, in order. */
  readonly assumed: string[];
  stop(): Promise<void>;
}

export interface StsOptions {
  /** The account of the credentials the scan starts with. */
  readonly callerAccount: string;
  /** Credentials for a role the caller may assume; undefined: AccessDenied. */
  readonly assume: (roleArn: string) => { accessKeyId: string; secretAccessKey: string } | undefined;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startStsServer(options: StsOptions): Promise<StsServer> {
  const assumed: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const requestId = randomUUID();
      const reply = (status: number, xml: string): void => {
        res.writeHead(status, { 'content-type': 'text/xml' }).end(`<?xml version="1.0"?>\n${xml}`);
      };
      const error = (status: number, code: string, message: string): void =>
        reply(
          status,
          `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      const action = form.get('Action');
      if (action === 'GetCallerIdentity') {
        const account = options.callerAccount;
        return reply(
          200,
          `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/scanner</Arn><UserId>AIDASCANNER</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      }
      if (action === 'AssumeRole') {
        const roleArn = form.get('RoleArn') ?? '';
        const session = form.get('RoleSessionName') ?? '';
        const credentials = options.assume(roleArn);
        if (credentials === undefined) {
          return error(
            403,
            'AccessDenied',
            `User: arn:aws:iam::${options.callerAccount}:user/scanner is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          );
        }
        assumed.push(roleArn);
        const [, partition = 'aws', , , account = '', resource = ''] = roleArn.split(':');
        const role = resource.replace(/^role\//, '');
        const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        return reply(
          200,
          `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><AssumedRoleUser><Arn>arn:${partition}:sts::${account}:assumed-role/${escape(role)}/${escape(session)}</Arn><AssumedRoleId>AROASCAN:${escape(session)}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey><SessionToken>token-${requestId}</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      }
      error(400, 'InvalidAction', `Could not find operation ${action ?? ''} for version 2011-06-15`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    assumed,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
