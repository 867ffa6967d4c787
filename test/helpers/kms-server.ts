import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

// A small KMS API server for tests: AWS JSON 1.1 over HTTP, `X-Amz-Target: TrentService.<Op>`, errors as
// `{"__type": "...", "message": ...}` with HTTP 400, timestamps in epoch seconds — as the KMS API reference
// describes them, so the real @aws-sdk/client-kms talks to it. No emulator of KMS exists for this machine.
// One endpoint serves several accounts and Regions, as KMS does for whoever signs the request: the account is the
// one of the signing access key (`credentialsFor`, which the STS test server hands out; any other key is the
// default account's), the Region the one of the SigV4 credential scope.

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
  /** The key policy does not let callers in: every call naming the key is denied (ListKeys still lists it). */
  denied: boolean;
  /** Grant id → the grant, as ListGrants returns it. */
  grants: Map<string, { GranteePrincipal: string; Operations: string[] }>;
}

type Fault = { readonly type: 'ThrottlingException' | 'AccessDeniedException'; remaining: number };

/** An account and Region of the server; the defaults when absent. */
export interface Scope {
  readonly account?: string;
  readonly region?: string;
}

export interface KmsServer {
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
  /** Make the next `times` calls of `op` (in one account and Region, else anywhere) fail the way KMS does. */
  fail(op: string, type: Fault['type'], times: number, scope?: Scope): void;
  /** Calls received per operation, and per `<op> <account> <region>`. */
  readonly calls: Map<string, number>;
  addKey(fields: Partial<Key> & { keyId: string } & Scope): void;
  addAlias(name: string, keyId: string, scope?: Scope): void;
  /** A grant on a key added before (CreateGrant through the API works too). */
  addGrant(keyId: string, grantId: string, granteePrincipal: string, scope?: Scope): void;
  /** Access keys whose requests act in `account`. */
  credentialsFor(account: string): { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

class KmsError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export async function startKmsServer(defaultAccount = '111122223333', defaultRegion = 'us-west-2'): Promise<KmsServer> {
  const stores = new Map<string, { keys: Map<string, Key>; aliases: Map<string, string> }>();
  const storeOf = (account: string, region: string) => {
    const id = `${account} ${region}`;
    let store = stores.get(id);
    if (store === undefined) stores.set(id, (store = { keys: new Map(), aliases: new Map() }));
    return store;
  };
  const accessKeys = new Map<string, string>();
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const count = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
  // Per request: the caller's account and Region (set before each handler runs; requests are handled one at a time).
  let account = defaultAccount;
  let region = defaultRegion;
  let keys = storeOf(account, region).keys;
  let aliases = storeOf(account, region).aliases;
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
      denied: false,
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
      grants: new Map(),
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
    if (key === undefined || (text.startsWith('arn:') && text !== key.arn)) {
      throw new KmsError('NotFoundException', `Key '${text}' does not exist`);
    }
    if (key.denied) throw new KmsError('AccessDeniedException', `User is not authorized to use key '${key.arn}'`);
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
    ListGrants: (b) => {
      const k = find(b['KeyId']);
      const grants = [...k.grants].map(([GrantId, g]) => ({ KeyId: k.arn, GrantId, ...g, CreationDate: k.created }));
      return page(grants, b, 'Grants');
    },
    CreateGrant: (b) => {
      const k = find(b['KeyId']);
      const grantId = randomUUID().replaceAll('-', '');
      const operations = Array.isArray(b['Operations']) ? b['Operations'].map(String) : [];
      k.grants.set(grantId, { GranteePrincipal: String(b['GranteePrincipal'] ?? ''), Operations: operations });
      return { GrantId: grantId, GrantToken: `token-${grantId}` };
    },
    RevokeGrant: (b) => {
      const k = find(b['KeyId']);
      if (!k.grants.delete(String(b['GrantId']))) throw new KmsError('NotFoundException', 'Grant does not exist');
      return {};
    },
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
      // SigV4: `Credential=<access key>/<date>/<region>/kms/aws4_request`.
      const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(String(req.headers['authorization'] ?? ''));
      account = accessKeys.get(scope?.[1] ?? '') ?? defaultAccount;
      region = scope?.[2] ?? defaultRegion;
      ({ keys, aliases } = storeOf(account, region));
      count(op);
      count(`${op} ${account} ${region}`);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      };
      const fault = [faults.get(`${op} ${account} ${region}`), faults.get(op)].find((f) => (f?.remaining ?? 0) > 0);
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
    account: defaultAccount,
    region: defaultRegion,
    calls,
    fail: (op, type, times, at) =>
      void faults.set(at === undefined ? op : `${op} ${at.account ?? defaultAccount} ${at.region ?? defaultRegion}`, {
        type,
        remaining: times,
      }),
    addKey: ({ account: a, region: r, ...fields }) => {
      account = a ?? defaultAccount;
      region = r ?? defaultRegion;
      ({ keys, aliases } = storeOf(account, region));
      addKey(fields);
    },
    addAlias: (name, keyId, at) =>
      void storeOf(at?.account ?? defaultAccount, at?.region ?? defaultRegion).aliases.set(name, keyId),
    addGrant: (keyId, grantId, grantee, at) => {
      const key = storeOf(at?.account ?? defaultAccount, at?.region ?? defaultRegion).keys.get(keyId);
      if (key === undefined) throw new Error(`addGrant: no key ${keyId}`);
      key.grants.set(grantId, { GranteePrincipal: grantee, Operations: ['Decrypt'] });
    },
    credentialsFor: (a) => {
      const accessKeyId = `ASIA${a}`;
      accessKeys.set(accessKeyId, a);
      return { accessKeyId, secretAccessKey: `secret-${a}` };
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
