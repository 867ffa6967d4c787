import { z } from 'zod';
import type { Problem } from '../model/problem.ts';
import type { TerraformOrigin } from '../model/declared.ts';
import type { JsonValue } from '../model/json.ts';
import type { KeyAttributes } from '../model/snapshot.ts';
import { resourceAddress } from './address.ts';
import { bareKeyId } from '../model/arn.ts';
import { locateJsonError } from '../model/json-error.ts';

/** The KMS resources of one state, already mapped to our attribute names. Nothing else of the state is kept. */
export interface ParsedState {
  readonly source: string;
  readonly keys: readonly ParsedKey[];
  readonly aliases: readonly ParsedAlias[];
  /** aws_kms_key_policy: key id (or ARN) → policy. */
  readonly policies: readonly {
    readonly keyId: string;
    readonly policy: JsonValue;
    readonly origin: TerraformOrigin;
  }[];
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
  readonly targetKeyId: string;
  readonly origin: TerraformOrigin;
}

const KMS_TYPES: ReadonlySet<string> = new Set([
  'aws_kms_key',
  'aws_kms_alias',
  'aws_kms_key_policy',
  'aws_kms_replica_key',
]);

// Only the envelope is validated up front; attributes are validated per KMS resource, so a secret in another
// resource's attributes is never parsed into anything we keep.
const StateEnvelope = z.object({
  version: z.number(),
  resources: z
    .array(
      z.object({
        module: z.string().optional(),
        mode: z.string(),
        type: z.string(),
        name: z.string(),
        instances: z.array(z.unknown()),
      }),
    )
    .optional(),
});
const Instance = z.object({
  index_key: z.union([z.string(), z.number()]).optional(),
  deposed: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()),
});
const str = z.string().nullish();
const bool = z.boolean().nullish();
const tags = z.record(z.string(), z.string()).nullish();
const KeyAttrs = z.object({
  id: z.string(),
  key_id: str,
  arn: str,
  is_enabled: bool,
  enabled: bool,
  enable_key_rotation: bool,
  key_rotation_enabled: bool,
  rotation_period_in_days: z.number().nullish(),
  policy: str,
  description: str,
  tags,
  tags_all: tags,
  key_usage: str,
  customer_master_key_spec: str,
  key_spec: str,
  multi_region: bool,
});
const AliasAttrs = z.object({ id: z.string(), name: str, arn: str, target_key_id: z.string(), target_key_arn: str });
const PolicyAttrs = z.object({ key_id: z.string(), policy: z.string() });

export function parseState(text: string, source: string): { state: ParsedState; problems: Problem[] } {
  const problems: Problem[] = [];
  const empty: ParsedState = { source, keys: [], aliases: [], policies: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's message can quote the state's text (secrets); only the position is safe to repeat.
    problems.push({
      code: 'STATE_JSON',
      severity: 'error',
      source,
      ...locateJsonError(text),
      message: 'the state is not valid JSON',
    });
    return { state: empty, problems };
  }
  const version = typeof json === 'object' && json !== null && 'version' in json ? json.version : undefined;
  if (version !== 4) {
    problems.push({
      code: 'STATE_VERSION',
      severity: 'error',
      source,
      message:
        typeof version === 'number' && version < 4
          ? `state format version ${version} is not supported: kms-drift reads format 4 (Terraform ≥ 0.12). Upgrade the state with a current Terraform (\`terraform state pull\` after \`terraform init\`).`
          : `not a Terraform state of format 4 (version: ${typeof version === 'number' ? version : 'missing'})`,
    });
    return { state: empty, problems };
  }
  const envelope = StateEnvelope.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    problems.push({
      code: 'STATE_SHAPE',
      severity: 'error',
      source,
      path: issue?.path.join('.') ?? '',
      message: issue?.message ?? 'invalid state',
    });
    return { state: empty, problems };
  }
  const keys: ParsedKey[] = [];
  const aliases: ParsedAlias[] = [];
  const policies: { keyId: string; policy: JsonValue; origin: TerraformOrigin }[] = [];
  (envelope.data.resources ?? []).forEach((resource, ri) => {
    if (resource.mode !== 'managed' || !KMS_TYPES.has(resource.type)) return;
    resource.instances.forEach((raw, ii) => {
      const path = `resources[${ri}].instances[${ii}]`;
      const instance = Instance.safeParse(raw);
      if (!instance.success) return problems.push(shape(source, path, instance.error));
      if (instance.data.deposed !== undefined) return; // a deposed object is on its way out; the current one counts
      const origin: TerraformOrigin = {
        address: resourceAddress(resource.module, resource.type, resource.name, instance.data.index_key),
        state: source,
      };
      const attrs = instance.data.attributes;
      if (resource.type === 'aws_kms_alias') {
        const a = AliasAttrs.safeParse(attrs);
        if (!a.success) return problems.push(shape(source, `${path}.attributes`, a.error, origin.address));
        aliases.push({
          name: a.data.name ?? a.data.id,
          ...(a.data.arn ? { arn: a.data.arn } : {}),
          targetKeyId: bareKeyId(a.data.target_key_id),
          origin,
        });
      } else if (resource.type === 'aws_kms_key_policy') {
        const p = PolicyAttrs.safeParse(attrs);
        if (!p.success) return problems.push(shape(source, `${path}.attributes`, p.error, origin.address));
        policies.push({ keyId: bareKeyId(p.data.key_id), policy: parsePolicy(p.data.policy), origin });
      } else {
        const k = KeyAttrs.safeParse(attrs);
        if (!k.success) return problems.push(shape(source, `${path}.attributes`, k.error, origin.address));
        keys.push(keyOf(resource.type as ParsedKey['type'], k.data, origin));
      }
      return undefined;
    });
  });
  return { state: { source, keys, aliases, policies }, problems };
}

function keyOf(type: ParsedKey['type'], a: z.infer<typeof KeyAttrs>, origin: TerraformOrigin): ParsedKey {
  const attributes: { -readonly [K in keyof KeyAttributes]?: KeyAttributes[K] } = {};
  // aws_kms_key says is_enabled, aws_kms_replica_key says enabled.
  const enabled = a.is_enabled ?? a.enabled;
  if (enabled !== null && enabled !== undefined) attributes.key_state = enabled ? 'Enabled' : 'Disabled';
  const rotation = a.enable_key_rotation ?? a.key_rotation_enabled;
  if (rotation !== null && rotation !== undefined) attributes.enable_key_rotation = rotation;
  if (a.rotation_period_in_days !== null && a.rotation_period_in_days !== undefined && rotation) {
    attributes.rotation_period_in_days = a.rotation_period_in_days;
  }
  if (a.policy) attributes.policy = parsePolicy(a.policy);
  if (a.description !== null && a.description !== undefined) attributes.description = a.description;
  // tags_all is what the key really carries: tags plus the provider's default_tags.
  const tags = a.tags_all ?? a.tags;
  if (tags !== null && tags !== undefined) attributes.tags = tags;
  if (a.key_usage) attributes.key_usage = a.key_usage;
  const spec = a.customer_master_key_spec ?? a.key_spec;
  if (spec) attributes.customer_master_key_spec = spec;
  if (a.multi_region !== null && a.multi_region !== undefined) attributes.multi_region = a.multi_region;
  return { type, keyId: a.key_id ?? a.id, ...(a.arn ? { arn: a.arn } : {}), origin, attributes };
}

function parsePolicy(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function shape(source: string, path: string, error: z.ZodError, address?: string): Problem {
  const issue = error.issues[0];
  const where = issue === undefined ? path : [path, ...issue.path.map(String)].join('.');
  // zod's message names the expected type only, never the value: safe for a state that holds secrets.
  return {
    code: 'STATE_SHAPE',
    severity: 'error',
    source,
    path: where,
    message: `${address ?? 'resource'}: ${issue?.message ?? 'invalid'}`,
  };
}
