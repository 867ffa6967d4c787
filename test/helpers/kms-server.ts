import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

// A small KMS API server for tests: AWS JSON 1.1 over HTTP, `X-Amz-Target: TrentService.<Op>`, errors as
// `{"__type": "...", "message": ...}` with HTTP 400, timestamps in epoch seconds — as the KMS API reference
// describes them, so the real @aws-sdk/client-kms talks to it. No emulator of KMS exists for this machine.

interface Key {
  keyId: string;
  arn: string;
  state: string;
  description: string;
  keyUsage: string;
  keySpec: string;
  multiRegion: boolean;
  keyManager: 'CUSTOMER' | 'AWS';
  policy: string;
  rotation: boolean;
  rotationPeriod: number;
  tags: Map<string, string>;
  deletionDate?: number;
  created: number;
}

type Fault = { readonly type: 'ThrottlingException' | 'AccessDeniedException'; remaining: number };

export interface KmsServer {
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
  /** Make the next `times` calls of `op` fail the way KMS does. */
  fail(op: string, type: Fault['type'], times: number): void;
  /** Calls received per operation. */
  readonly calls: Map<string, number>;
  addKey(fields: Partial<Key> & { keyId: string }): void;
  stop(): Promise<void>;
}

class KmsError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export async function startKmsServer(account = '111122223333', region = 'us-west-2'): Promise<KmsServer> {
  const keys = new Map<string, Key>();
  const aliases = new Map<string, string>();
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const arnOf = (id: string): string => `arn:aws:kms:${region}:${account}:key/${id}`;
  const defaultPolicy = (): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
  const addKey = (f: Partial<Key> & { keyId: string }): void => {
    keys.set(f.keyId, {
      arn: arnOf(f.keyId),
      state: 'Enabled',
      description: '',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      multiRegion: f.keyId.startsWith('mrk-'),
      keyManager: 'CUSTOMER',
      policy: defaultPolicy(),
      rotation: false,
      rotationPeriod: 365,
      tags: new Map(),
      created: 1_700_000_000,
      ...f,
    });
  };
  const find = (keyId: unknown): Key => {
    const text = String(keyId ?? '');
    const id = text.startsWith('alias/')
      ? (aliases.get(text) ?? '')
      : text.startsWith('arn:')
        ? text.slice(text.lastIndexOf('/') + 1)
        : text;
    const key = keys.get(id);
    if (key === undefined) throw new KmsError('NotFoundException', `Key '${text}' does not exist`);
    return key;
  };
  const page = <T>(items: T[], body: Record<string, unknown>, name: string): Record<string, unknown> => {
    const limit = Number(body['Limit'] ?? 100);
    const start = Number(body['Marker'] ?? 0);
    const slice = items.slice(start, start + limit);
    const next = start + limit;
    return {
      [name]: slice,
      Truncated: next < items.length,
      ...(next < items.length ? { NextMarker: String(next) } : {}),
    };
  };
  const metadata = (k: Key): Record<string, unknown> => ({
    AWSAccountId: account,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: k.created,
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    Origin: 'AWS_KMS',
    KeyManager: k.keyManager,
    KeySpec: k.keySpec,
    CustomerMasterKeySpec: k.keySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: k.multiRegion,
    ...(k.deletionDate === undefined ? {} : { DeletionDate: k.deletionDate }),
  });

  const ops: Record<string, (b: Record<string, unknown>) => Record<string, unknown>> = {
    CreateKey: (b) => {
      const keyId = randomUUID();
      addKey({
        keyId,
        description: String(b['Description'] ?? ''),
        ...(typeof b['Policy'] === 'string' ? { policy: b['Policy'] } : {}),
      });
      return { KeyMetadata: metadata(find(keyId)) };
    },
    DescribeKey: (b) => ({ KeyMetadata: metadata(find(b['KeyId'])) }),
    ListKeys: (b) =>
      page(
        [...keys.values()].map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
        b,
        'Keys',
      ),
    ListAliases: (b) =>
      page(
        [...aliases.entries()]
          .filter(([, id]) => b['KeyId'] === undefined || id === find(b['KeyId']).keyId)
          .map(([name, id]) => ({
            AliasName: name,
            AliasArn: `arn:aws:kms:${region}:${account}:${name}`,
            TargetKeyId: id,
          })),
        b,
        'Aliases',
      ),
    GetKeyPolicy: (b) => ({ Policy: find(b['KeyId']).policy, PolicyName: 'default' }),
    PutKeyPolicy: (b) => {
      find(b['KeyId']).policy = String(b['Policy']);
      return {};
    },
    GetKeyRotationStatus: (b) => {
      const k = find(b['KeyId']);
      return {
        KeyRotationEnabled: k.rotation,
        KeyId: k.arn,
        ...(k.rotation ? { RotationPeriodInDays: k.rotationPeriod } : {}),
      };
    },
    EnableKeyRotation: (b) => {
      const k = find(b['KeyId']);
      k.rotation = true;
      k.rotationPeriod = Number(b['RotationPeriodInDays'] ?? 365);
      return {};
    },
    DisableKeyRotation: (b) => {
      find(b['KeyId']).rotation = false;
      return {};
    },
    DisableKey: (b) => {
      find(b['KeyId']).state = 'Disabled';
      return {};
    },
    EnableKey: (b) => {
      find(b['KeyId']).state = 'Enabled';
      return {};
    },
    ScheduleKeyDeletion: (b) => {
      const k = find(b['KeyId']);
      k.state = 'PendingDeletion';
      k.deletionDate = 1_700_000_000 + Number(b['PendingWindowInDays'] ?? 30) * 86400;
      return { KeyId: k.arn, DeletionDate: k.deletionDate, KeyState: k.state };
    },
    UpdateKeyDescription: (b) => {
      find(b['KeyId']).description = String(b['Description'] ?? '');
      return {};
    },
    ListResourceTags: (b) =>
      page(
        [...find(b['KeyId']).tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
        b,
        'Tags',
      ),
    TagResource: (b) => {
      const k = find(b['KeyId']);
      for (const t of (b['Tags'] as { TagKey: string; TagValue: string }[]) ?? []) k.tags.set(t.TagKey, t.TagValue);
      return {};
    },
    UntagResource: (b) => {
      const k = find(b['KeyId']);
      for (const t of (b['TagKeys'] as string[]) ?? []) k.tags.delete(t);
      return {};
    },
    CreateAlias: (b) => {
      aliases.set(String(b['AliasName']), find(b['TargetKeyId']).keyId);
      return {};
    },
    UpdateAlias: (b) => {
      aliases.set(String(b['AliasName']), find(b['TargetKeyId']).keyId);
      return {};
    },
    DeleteAlias: (b) => {
      aliases.delete(String(b['AliasName']));
      return {};
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
      calls.set(op, (calls.get(op) ?? 0) + 1);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      };
      const fault = faults.get(op);
      if (fault !== undefined && fault.remaining > 0) {
        fault.remaining--;
        return reply(400, { __type: fault.type, message: `injected ${fault.type}` });
      }
      const handler = ops[op];
      if (handler === undefined) return reply(400, { __type: 'UnknownOperationException', message: op });
      try {
        const body =
          chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        reply(200, handler(body));
      } catch (err: unknown) {
        if (err instanceof KmsError) reply(400, { __type: err.type, message: err.message });
        else reply(400, { __type: 'ValidationException', message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    account,
    region,
    calls,
    fail: (op, type, times) => void faults.set(op, { type, remaining: times }),
    addKey,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
