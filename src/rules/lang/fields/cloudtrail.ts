import { field, type JsonObject, type JsonValue } from '../../../model/json.ts';
import type { FieldDef } from './types.ts';
import { ctField, memo } from './define.ts';
import { at, flag, plain, plain1, plain2 } from './record.ts';
import { ctInfo, ctOriginalUser, ctReadOnly, ctUser, s3Uri } from './cloudtrail-user.ts';

import { shortSource } from '../../../normalize/read-set.ts';

// One definition: the read set (which records reach the rules) files records under the same short source.
export { shortSource };

/** The plugin's MarshalTo: compact JSON of any value, null included. */
function json(rec: JsonObject, key: string): string | undefined {
  const v = field(rec, key);
  return v === undefined ? undefined : JSON.stringify(v);
}

function resources(rec: JsonObject): string | undefined {
  const v = field(rec, 'resources');
  if (!Array.isArray(v) || v.length === 0) return undefined;
  return (v as readonly JsonValue[]).map((r) => JSON.stringify(r)).join(',');
}

function ec2Name(rec: JsonObject): string | undefined {
  const items = at(rec, ['requestParameters', 'tagSpecificationSet', 'items']);
  if (!Array.isArray(items)) return undefined;
  let name = '';
  for (const item of items as readonly JsonValue[]) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
    const obj = item as JsonObject;
    if (field(obj, 'resourceType') !== 'instance') continue;
    const tags = field(obj, 'tags');
    if (!Array.isArray(tags)) continue;
    for (const tag of tags as readonly JsonValue[]) {
      if (tag === null || typeof tag !== 'object' || Array.isArray(tag)) continue;
      if (field(tag as JsonObject, 'key') === 'Name') {
        const value = field(tag as JsonObject, 'value');
        name = typeof value === 'string' ? value : '';
        break;
      }
    }
  }
  return name === '' ? undefined : name;
}

// Plain fields read like the plugin's GetStringBytes: a present value that is not a string is an empty string.
const top = (name: string, key: string, description: string, example: string): FieldDef =>
  ctField(name, description, example, (r) => plain1(r, key));
const under = (name: string, parent: string, key: string, example: string): FieldDef =>
  ctField(name, `${parent}.${key}`, example, (r) => plain2(r, parent, key));

/** Request parameters the cloudtrail plugin exposes by name (extract.go); everything else is json.value[…]. */
const REQUEST_KEYS: readonly (readonly [string, string])[] = [
  ['availabilityzone', 'availabilityZone'],
  ['cluster', 'cluster'],
  ['functionname', 'functionName'],
  ['groupname', 'groupName'],
  ['host', 'Host'],
  ['name', 'name'],
  ['policy', 'policy'],
  ['reason', 'reason'],
  ['target', 'target'],
  ['serialnumber', 'serialNumber'],
  ['servicename', 'serviceName'],
  ['subnetid', 'subnetId'],
  ['taskdefinition', 'taskDefinition'],
  ['username', 'userName'],
];

export const CLOUDTRAIL_FIELDS: readonly FieldDef[] = [
  top('ct.id', 'eventID', 'the unique ID of the CloudTrail event (eventID)', '36327b37-f4f6-40a9-92ab-48064ec905a2'),
  top('ct.error', 'errorCode', 'the error code; no value when the call succeeded', 'AccessDenied'),
  top(
    'ct.errormessage',
    'errorMessage',
    'the error message; no value when the call succeeded',
    'User is not authorized',
  ),
  top('ct.time', 'eventTime', 'eventTime as written in the record', '2022-08-10T22:38:27Z'),
  top('ct.src', 'eventSource', 'the service (eventSource)', 'kms.amazonaws.com'),
  memo(
    ctField('ct.shortsrc', 'eventSource without .amazonaws.com', 'kms', (r) => {
      const src = plain(r, 'eventSource');
      return src === undefined ? undefined : shortSource(src);
    }),
  ),
  top('ct.name', 'eventName', 'the API call (eventName)', 'PutKeyPolicy'),
  memo(ctField('ct.user', 'the user, by userIdentity.type (Falco cloudtrail plugin semantics)', 'Alice', ctUser)),
  memo(
    ctField('ct.originaluser', 'for assumed roles the session name, else userName', 'alice-session', ctOriginalUser),
  ),
  ctField('ct.user.accountid', 'userIdentity.accountId, else recipientAccountId', '111122223333', (r) =>
    at(r, ['userIdentity', 'accountId']) === undefined
      ? plain(r, 'recipientAccountId')
      : plain(r, 'userIdentity', 'accountId'),
  ),
  under('ct.user.identitytype', 'userIdentity', 'type', 'IAMUser'),
  under('ct.user.principalid', 'userIdentity', 'principalId', 'AIDAEXAMPLE'),
  under('ct.user.arn', 'userIdentity', 'arn', 'arn:aws:iam::111122223333:user/Alice'),
  top('ct.region', 'awsRegion', 'the region of the call (awsRegion)', 'us-west-2'),
  top('ct.srcip', 'sourceIPAddress', 'the caller IP address (sourceIPAddress)', '192.0.2.0'),
  top('ct.useragent', 'userAgent', 'the caller user agent', 'aws-cli/2.13.0'),
  memo(
    ctField('ct.request', 'requestParameters as compact JSON', '{"keyId":"1234abcd"}', (r) =>
      json(r, 'requestParameters'),
    ),
  ),
  memo(
    ctField('ct.response', 'responseElements as compact JSON', '{"keyId":"arn:aws:kms:…"}', (r) =>
      json(r, 'responseElements'),
    ),
  ),
  ...REQUEST_KEYS.map(([n, key]) => under(`ct.request.${n}`, 'requestParameters', key, '')),
  // The plugin's switch spells this case `ct.request.documentName`, which never equals the field's name: never a value.
  ctField(
    'ct.request.documentname',
    'never a value (as in the plugin, whose lookup of it never matches)',
    '',
    () => undefined,
  ),
  under('ct.response.subnetid', 'responseElements', 'subnetId', 'subnet-0123'),
  under('ct.response.reservationid', 'responseElements', 'reservationId', 'r-0123'),
  memo(
    ctField(
      'ct.info',
      'summary: user via srcip →/← eventName (user →/← eventName when both are the same), then S3 details',
      'Alice via 192.0.2.0 → PutKeyPolicy',
      ctInfo,
    ),
  ),
  ctField(
    'ct.managementevent',
    '"true" when managementEvent is JSON true, else "false"; no value without managementEvent',
    'true',
    (r) => flag(r, 'managementEvent'),
  ),
  ctField(
    'ct.readonly',
    '"true" when readOnly is JSON true, else "false"; no value without readOnly',
    'false',
    ctReadOnly,
  ),
  ctField(
    'ct.sessioncredentialfromconsole',
    '"true" only when sessionCredentialFromConsole is JSON true (CloudTrail writes the string "true", which is "false" here as in the plugin); no value without it',
    'false',
    (r) => flag(r, 'sessionCredentialFromConsole'),
  ),
  top('ct.requestid', 'requestID', 'requestID', '7bb906fa-dc21-4350-b65c-808ff0f72f55'),
  top('ct.eventtype', 'eventType', 'eventType (AwsApiCall, AwsServiceEvent, …)', 'AwsApiCall'),
  top('ct.apiversion', 'apiVersion', 'apiVersion', '2014-11-01'),
  top('ct.recipientaccountid', 'recipientAccountId', 'the account that received the event', '111122223333'),
  top('ct.sharedeventid', 'sharedEventID', 'sharedEventID (cross-account events)', 'a1b2c3'),
  top('ct.vpcendpointid', 'vpcEndpointId', 'the VPC endpoint the call went through', 'vpce-0123'),
  top('ct.eventcategory', 'eventCategory', 'eventCategory (Management, Data, Insight)', 'Management'),
  // The plugin reads these two as strings; CloudTrail writes objects, which the plugin gives as empty strings.
  top('ct.serviceeventdetails', 'serviceEventDetails', 'serviceEventDetails when a string; "" for an object', ''),
  top('ct.edgedevicedetails', 'edgeDeviceDetails', 'edgeDeviceDetails when a string; "" for an object', ''),
  memo(
    ctField('ct.additionaleventdata', 'additionalEventData as compact JSON', '{"x":1}', (r) =>
      json(r, 'additionalEventData'),
    ),
  ),
  memo(
    ctField('ct.resources', 'each resources[] element as JSON, joined with ","', '{"ARN":"arn:aws:kms:…"}', resources),
  ),
  under('ct.tlsdetails.tlsversion', 'tlsDetails', 'tlsVersion', 'TLSv1.3'),
  under('ct.tlsdetails.ciphersuite', 'tlsDetails', 'cipherSuite', 'TLS_AES_128_GCM_SHA256'),
  under(
    'ct.tlsdetails.clientprovidedhostheader',
    'tlsDetails',
    'clientProvidedHostHeader',
    'kms.us-west-2.amazonaws.com',
  ),
  under('ct.addendum.reason', 'addendum', 'reason', 'DELIVERY_DELAY'),
  under('ct.addendum.updatedfields', 'addendum', 'updatedFields', 'userIdentity'),
  under('ct.addendum.originalrequestid', 'addendum', 'originalRequestID', ''),
  under('ct.addendum.originaleventid', 'addendum', 'originalEventID', ''),
  under('s3.bucket', 'requestParameters', 'bucketName', 'my-bucket'),
  under('s3.key', 'requestParameters', 'key', 'path/to/object'),
  memo(ctField('s3.uri', 's3://bucketName/key', 's3://my-bucket/path/to/object', s3Uri)),
  memo(ctField('ec2.name', 'the Name tag of the instance in tagSpecificationSet', 'web-1', ec2Name)),
  under('ecr.repository', 'requestParameters', 'repositoryName', 'my-repo'),
  under('ecr.imagetag', 'requestParameters', 'imageTag', 'latest'),
  under('ecr.image.tag', 'requestParameters', 'imageTag', 'latest'),
  under('iam.role', 'requestParameters', 'roleName', 'my-role'),
  under('iam.policy', 'requestParameters', 'policyName', 'my-policy'),
];
