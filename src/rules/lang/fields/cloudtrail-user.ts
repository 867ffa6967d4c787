import type { JsonObject } from '../../../model/json.ts';
import { str } from './record.ts';

/** The cloudtrail plugin's getUser (extract.go): depends on userIdentity.type; no type means no value. */
export function ctUser(rec: JsonObject): string | undefined {
  const type = str(rec, 'userIdentity', 'type');
  switch (type) {
    case undefined:
      return undefined;
    case 'Root':
    case 'IAMUser':
      return str(rec, 'userIdentity', 'userName');
    case 'AWSService':
      return str(rec, 'userIdentity', 'invokedBy');
    case 'AssumedRole':
      return str(rec, 'userIdentity', 'sessionContext', 'sessionIssuer', 'userName') ?? 'AssumedRole';
    case 'AWSAccount':
      return 'AWSAccount';
    case 'FederatedUser':
      return 'FederatedUser';
    default:
      return '<unknown user type>';
  }
}

/** AssumedRole: the session name (third `/` part of the ARN, else after `:` in principalId); otherwise userName. */
export function ctOriginalUser(rec: JsonObject): string | undefined {
  if (str(rec, 'userIdentity', 'type') === 'AssumedRole') {
    const fromArn = str(rec, 'userIdentity', 'arn')?.split('/')[2];
    if (fromArn !== undefined && fromArn !== '') return fromArn;
    const pid = str(rec, 'userIdentity', 'principalId');
    const colon = pid?.indexOf(':') ?? -1;
    if (pid !== undefined && colon >= 0) return pid.slice(colon + 1);
    return undefined;
  }
  return str(rec, 'userIdentity', 'userName');
}

/** Used when a record lacks `readOnly` (extract.go's heuristic on the event name). */
const WRITE_PREFIXES = [
  'Start',
  'Stop',
  'Create',
  'Destroy',
  'Delete',
  'Add',
  'Remove',
  'Terminate',
  'Put',
  'Associate',
  'Disassociate',
  'Attach',
  'Detach',
  'Open',
  'Close',
  'Wipe',
  'Update',
  'Upgrade',
  'Unlink',
  'Assign',
  'Unassign',
  'Suspend',
  'Set',
  'Run',
  'Register',
  'Deregister',
  'Reboot',
  'Purchase',
  'Modify',
  'Initialize',
  'Enable',
  'Disable',
  'Cancel',
  'Admin',
  'Activate',
];

export function ctReadOnly(rec: JsonObject): string | undefined {
  const ro = Object.hasOwn(rec, 'readOnly') ? rec['readOnly'] : undefined;
  if (ro === true) return 'true';
  if (ro !== undefined) return 'false';
  const name = str(rec, 'eventName');
  if (name === undefined) return undefined;
  return WRITE_PREFIXES.some((p) => name.startsWith(p)) ? 'false' : 'true';
}

/** ct.info: `user via srcip [!]→ eventName`, then S3 details (extract.go getEvtInfo). */
export function ctInfo(rec: JsonObject): string {
  const user = ctUser(rec);
  if (user === undefined) return '<invalid cloudtrail event: userIdentity field missing>';
  const ip = str(rec, 'sourceIPAddress');
  if (ip === undefined) return '<invalid cloudtrail event: eventSource field missing>';
  const name = str(rec, 'eventName');
  if (name === undefined) return '<invalid cloudtrail event: eventName field missing>';
  const err = str(rec, 'errorCode') !== undefined ? '!' : '';
  const rw = ctReadOnly(rec) === 'false' ? '→' : '←';
  const info = `${user} via ${ip} ${err}${rw} ${name}`;
  const bucket = str(rec, 'requestParameters', 'bucketName');
  const key = str(rec, 'requestParameters', 'key');
  if (bucket !== undefined && key !== undefined) return `${info} URI=s3://${bucket}/${key}`;
  if (bucket !== undefined) return `${info} Bucket=${bucket}`;
  if (key !== undefined) return `${info} Key=${key}`;
  const host = str(rec, 'requestParameters', 'Host');
  return host !== undefined ? `${info} Host=${host}` : info;
}
