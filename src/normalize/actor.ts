import { objectField, stringField, type JsonObject } from '../model/json.ts';
import type { Actor } from '../model/kms-event.ts';

/** Who made the call, with Falco's ct.user semantics for `user` so our logs and Falco's agree. */
export function actorOf(record: JsonObject): Actor {
  const identity = objectField(record, 'userIdentity') ?? {};
  const type = stringField(identity, 'type');
  const issuer = objectField(objectField(identity, 'sessionContext') ?? {}, 'sessionIssuer');
  const actor: Record<string, string> = {};
  set(actor, 'user', falcoUser(identity, type, issuer));
  set(actor, 'arn', stringField(identity, 'arn'));
  set(actor, 'issuerArn', issuer ? stringField(issuer, 'arn') : undefined);
  set(actor, 'type', type);
  set(actor, 'accountId', stringField(identity, 'accountId'));
  set(actor, 'principalId', stringField(identity, 'principalId'));
  set(actor, 'invokedBy', stringField(identity, 'invokedBy'));
  set(actor, 'sourceIp', stringField(record, 'sourceIPAddress'));
  set(actor, 'userAgent', stringField(record, 'userAgent'));
  return actor;
}

function falcoUser(identity: JsonObject, type: string | undefined, issuer: JsonObject | undefined): string | undefined {
  switch (type) {
    case undefined:
      return undefined;
    case 'Root':
    case 'IAMUser':
      return stringField(identity, 'userName');
    case 'AWSService':
      return stringField(identity, 'invokedBy');
    case 'AssumedRole':
      return (issuer ? stringField(issuer, 'userName') : undefined) ?? 'AssumedRole';
    case 'AWSAccount':
    case 'FederatedUser':
      return type;
    default:
      return stringField(identity, 'userName') ?? `<unknown user type>`;
  }
}

function set(target: Record<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}
