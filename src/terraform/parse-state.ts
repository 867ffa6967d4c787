import type { z } from 'zod';
import type { Problem } from '../model/problem.ts';
import type { TerraformOrigin } from '../model/declared.ts';
import { field, isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';
import type { KeyAttributes } from '../model/snapshot.ts';
import { bareKeyId } from '../model/arn.ts';
import { describeJsonError, locateJsonError } from '../model/json-error.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import { resourceAddress } from './address.ts';
import { keyAttributes, parsePolicy, replicaAttributes } from './key-attributes.ts';
import { AliasAttrs, Instance, KeyAttrs, KeyPolicyAttrs, ReplicaKeyAttrs, StateResource } from './schemas.ts';

/** The KMS resources of one state, already mapped to our attribute names. Nothing else of the state is kept. */
export interface ParsedStateResources {
  readonly source: string;
  readonly keys: readonly ParsedKey[];
  readonly aliases: readonly ParsedAlias[];
  readonly policies: readonly ParsedKeyPolicy[];
}
export interface ParsedKey {
  readonly type: 'aws_kms_key' | 'aws_kms_replica_key';
  readonly keyId: string;
  readonly arn?: string;
  readonly origin: TerraformOrigin;
  readonly attributes: Partial<KeyAttributes>;
}
export interface ParsedAlias {
  readonly name: string;
  readonly arn?: string;
  /** Always a bare id: the provider accepts an ARN here and treats both as the same target. */
  readonly targetKeyId: string;
  readonly origin: TerraformOrigin;
}
/** aws_kms_key_policy: it manages the policy of the key it names, over that key's own `policy`. */
export interface ParsedKeyPolicy {
  /** As configured: a key id or a key ARN. */
  readonly keyId: string;
  readonly policy: JsonValue;
  readonly origin: TerraformOrigin;
}

const KMS_TYPES: ReadonlySet<string> = new Set([
  'aws_kms_key',
  'aws_kms_alias',
  'aws_kms_key_policy',
  'aws_kms_replica_key',
]);

/**
 * tfstate text → its managed KMS resources. Other resources are never validated, copied or named in a problem:
 * a state holds their secrets (database passwords, private keys) in clear text.
 */
export function parseState(text: string, source: string): { resources: ParsedStateResources; problems: Problem[] } {
  const problems: Problem[] = [];
  const keys: ParsedKey[] = [];
  const aliases: ParsedAlias[] = [];
  const policies: ParsedKeyPolicy[] = [];
  const resources = (): ParsedStateResources => ({ source, keys, aliases, policies });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's message can quote the state's text (secrets); only the position is safe to repeat.
    const at = locateJsonError(text);
    problems.push(
      problem('STATE_JSON', source, `the state is not valid JSON: ${describeJsonError(at)}`, {
        line: at.line,
        column: at.column,
      }),
    );
    return { resources: resources(), problems };
  }
  const root = isJsonObject(json) ? json : undefined;
  const version = root === undefined ? undefined : field(root, 'version');
  if (version !== 4) {
    problems.push(problem('STATE_VERSION', source, versionMessage(version), { path: 'version' }));
    return { resources: resources(), problems };
  }
  const list = root === undefined ? undefined : field(root, 'resources');
  if (list === undefined || list === null) return { resources: resources(), problems };
  if (!Array.isArray(list)) {
    problems.push(problem('STATE_SHAPE', source, '`resources` is not a list', { path: 'resources' }));
    return { resources: resources(), problems };
  }
  (list as readonly JsonValue[]).forEach((raw, ri) => {
    if (!isKmsResource(raw)) return;
    const path = `resources[${ri}]`;
    const resource = StateResource.safeParse(raw);
    if (!resource.success) return void problems.push(shape(source, path, resource.error, 'KMS resource', 'field'));
    const { module, mode, type, name } = resource.data;
    if (mode !== 'managed') return; // data sources declare nothing
    resource.data.instances.forEach((rawInstance, ii) => {
      const at = `${path}.instances[${ii}]`;
      const instance = Instance.safeParse(rawInstance);
      const generic = resourceAddress(module, type, name, undefined);
      if (!instance.success) return void problems.push(shape(source, at, instance.error, generic, 'field'));
      // A deposed object is on its way out (create_before_destroy); the current object is the declaration.
      if (instance.data.deposed !== undefined) return;
      const origin: TerraformOrigin = {
        address: resourceAddress(module, type, name, instance.data.index_key),
        state: source,
      };
      const attrs = instance.data.attributes;
      const attrPath = `${at}.attributes`;
      const deep = tooDeepPolicy(attrs);
      if (deep !== undefined) {
        const message = `${origin.address} attribute policy: the policy text nests deeper than ${MAX_JSON_DEPTH} levels`;
        return void problems.push(problem('STATE_SHAPE', source, message, { path: `${attrPath}.policy${deep}` }));
      }
      if (type === 'aws_kms_alias') {
        const a = AliasAttrs.safeParse(attrs);
        if (!a.success) return void problems.push(shape(source, attrPath, a.error, origin.address));
        aliases.push({
          name: a.data.name ?? a.data.id,
          ...(a.data.arn ? { arn: a.data.arn } : {}),
          targetKeyId: bareKeyId(a.data.target_key_id),
          origin,
        });
      } else if (type === 'aws_kms_key_policy') {
        const p = KeyPolicyAttrs.safeParse(attrs);
        if (!p.success) return void problems.push(shape(source, attrPath, p.error, origin.address));
        policies.push({ keyId: p.data.key_id, policy: parsePolicy(p.data.policy), origin });
      } else if (type === 'aws_kms_replica_key') {
        const k = ReplicaKeyAttrs.safeParse(attrs);
        if (!k.success) return void problems.push(shape(source, attrPath, k.error, origin.address));
        keys.push(key('aws_kms_replica_key', k.data, replicaAttributes(k.data), origin));
      } else {
        const k = KeyAttrs.safeParse(attrs);
        if (!k.success) return void problems.push(shape(source, attrPath, k.error, origin.address));
        keys.push(key('aws_kms_key', k.data, keyAttributes(k.data), origin));
      }
    });
  });
  return { resources: resources(), problems };
}

/**
 * Where the policy text of a KMS resource nests too deep for the policy comparison (which recurses), if it does.
 * Parsed again later by the attribute mapping; only at state load, so the second parse costs nothing that matters.
 */
function tooDeepPolicy(attrs: JsonValue): string | undefined {
  const text = isJsonObject(attrs) ? field(attrs, 'policy') : undefined;
  if (typeof text !== 'string') return undefined;
  try {
    return tooDeepAt(JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

/** Decided on own properties only, before any validation, so nothing of another resource is ever parsed. */
function isKmsResource(raw: JsonValue): raw is JsonObject {
  if (!isJsonObject(raw)) return false;
  const type = field(raw, 'type');
  return typeof type === 'string' && KMS_TYPES.has(type);
}

function key(
  type: ParsedKey['type'],
  a: { readonly id: string; readonly key_id?: string | null | undefined; readonly arn?: string | null | undefined },
  attributes: Partial<KeyAttributes>,
  origin: TerraformOrigin,
): ParsedKey {
  return { type, keyId: a.key_id || a.id, ...(a.arn ? { arn: a.arn } : {}), origin, attributes };
}

function versionMessage(version: JsonValue | undefined): string {
  if (typeof version === 'number' && version < 4) {
    return (
      `state format version ${version} is not supported; run \`terraform state pull\` with Terraform ≥ 0.12 ` +
      '(after `terraform init` in the configuration) to get the state in format 4, which kms-drift reads'
    );
  }
  const seen = typeof version === 'number' ? String(version) : version === undefined ? 'missing' : typeof version;
  return `not a Terraform state of format 4 (version: ${seen})`;
}

function shape(
  source: string,
  path: string,
  error: z.ZodError,
  address: string,
  kind: 'attribute' | 'field' = 'attribute',
): Problem {
  const issue = error.issues[0];
  const attribute = issue === undefined ? '' : issue.path.map(String).join('.');
  const where = attribute === '' ? path : `${path}.${attribute}`;
  // zod's message names the expected and received types, never the value: safe for a state that holds secrets.
  const what = attribute === '' ? '' : ` ${kind} ${attribute}`;
  return problem('STATE_SHAPE', source, `${address}${what}: ${issue?.message ?? 'invalid'}`, { path: where });
}

function problem(
  code: Problem['code'],
  source: string,
  message: string,
  where: { path?: string; line?: number; column?: number },
): Problem {
  return { code, severity: 'error', source, message, ...where };
}
