import type { z } from 'zod';
import type { Problem } from '../model/problem.ts';
import type { TerraformOrigin } from '../model/declared.ts';
import { field, isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';
import { describeJsonError, locateJsonError } from '../model/json-error.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import { resourceAddress } from './address.ts';
import { declareInstance, KMS_RESOURCE_TYPES } from './declare-instance.ts';
import type {
  ParsedAlias,
  ParsedCustomKeyStore,
  ParsedGrant,
  ParsedKey,
  ParsedKeyPolicy,
  ParsedStateResources,
} from './parsed.ts';
import { Instance, isInstance, StateResource } from './schemas.ts';

export type { ParsedAlias, ParsedKey, ParsedKeyPolicy, ParsedStateResources } from './parsed.ts';

/**
 * tfstate text → its managed KMS resources. Other resources are never validated, copied or named in a problem:
 * a state holds their secrets (database passwords, private keys) in clear text.
 */
export function parseState(text: string, source: string): { resources: ParsedStateResources; problems: Problem[] } {
  const problems: Problem[] = [];
  const keys: ParsedKey[] = [];
  const aliases: ParsedAlias[] = [];
  const policies: ParsedKeyPolicy[] = [];
  const grants: ParsedGrant[] = [];
  const customKeyStores: ParsedCustomKeyStore[] = [];
  const resources = (): ParsedStateResources => ({ source, keys, aliases, policies, grants, customKeyStores });
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
      const instance = isInstance(rawInstance)
        ? { success: true as const, data: rawInstance }
        : Instance.safeParse(rawInstance);
      if (!instance.success) {
        const generic = resourceAddress(module, type, name, undefined);
        return void problems.push(shape(source, at, instance.error, generic, 'field'));
      }
      // A deposed object is on its way out (create_before_destroy); the current object is the declaration.
      if (instance.data.deposed !== undefined) return;
      const origin: TerraformOrigin = {
        address: resourceAddress(module, type, name, instance.data.index_key),
        type,
        state: source,
      };
      const attrs = instance.data.attributes;
      const deep = tooDeepPolicy(attrs);
      if (deep !== undefined) {
        const message = `${origin.address} attribute policy: the policy text nests deeper than ${MAX_JSON_DEPTH} levels`;
        return void problems.push(problem('STATE_SHAPE', source, message, { path: `${at}.attributes.policy${deep}` }));
      }
      const result = declareInstance(type, attrs, origin);
      if (!result.ok) return void problems.push(shape(source, `${at}.attributes`, result.error, origin.address));
      const { declared } = result;
      if (declared.kind === 'key') keys.push(declared.value);
      else if (declared.kind === 'alias') aliases.push(declared.value);
      else if (declared.kind === 'policy') policies.push(declared.value);
      else if (declared.kind === 'grant') grants.push(declared.value);
      else customKeyStores.push(declared.value);
    });
  });
  return { resources: resources(), problems };
}

/**
 * Where the policy text of a KMS resource nests too deep for the policy comparison (which recurses), if it does.
 * Policies are kept as text and parsed on first use, so the text is measured here without parsing it; only a text
 * that nests too deep is parsed, to say where (and a text that is not JSON is compared as text, never too deep).
 */
function tooDeepPolicy(attrs: JsonValue): string | undefined {
  const text = isJsonObject(attrs) ? field(attrs, 'policy') : undefined;
  if (typeof text !== 'string' || nesting(text) <= MAX_JSON_DEPTH) return undefined;
  try {
    return tooDeepAt(JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

/** How deep the brackets of a JSON text nest, strings skipped; for a valid JSON text, what tooDeepAt measures. */
export function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, past escaped characters.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Decided on own properties only, before any validation, so nothing of another resource is ever parsed. */
function isKmsResource(raw: JsonValue): raw is JsonObject {
  if (!isJsonObject(raw)) return false;
  const type = field(raw, 'type');
  return typeof type === 'string' && KMS_RESOURCE_TYPES.has(type);
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
