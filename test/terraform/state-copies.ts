import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffEvent } from '../../src/diff/diff.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { DriftFinding } from '../../src/model/finding.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { Problem } from '../../src/model/problem.ts';
import { normalizeRecord } from '../../src/normalize/normalize.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import { ROOT } from '../helpers/cli.ts';

// Copies of our fixture states and of AWS's sample records, edited in memory and written to a temporary directory:
// the fixture files themselves are never changed.

export const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/`;
export const OWN_STATE = `${ROOT}fixtures/own/tfstate/modules-for-each.tfstate`;
export const ORG = `${ROOT}fixtures/own/tfstate/org/`;

/** A state's JSON, mutable: the copies are edited before they are written. */
export interface TfInstance {
  index_key?: string | number;
  deposed?: string;
  attributes: Record<string, unknown>;
  [field: string]: unknown;
}
export interface TfResource {
  module?: string;
  mode: string;
  type: string;
  name: string;
  instances: TfInstance[];
  [field: string]: unknown;
}
export interface TfState {
  resources: TfResource[];
  [field: string]: unknown;
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
export const sample = (file: string): JsonObject => readJson<JsonObject>(`${DOC}${file}`);

/** The instance at a Terraform address (`module.kms.aws_kms_key.this["data"]`, `aws_kms_key.global`). */
export function instanceAt(state: TfState, address: string): TfInstance {
  for (const r of state.resources) {
    if (r.mode !== 'managed') continue;
    const base = `${r.module === undefined ? '' : `${r.module}.`}${r.type}.${r.name}`;
    for (const i of r.instances) {
      if (i.deposed !== undefined) continue;
      const key = i.index_key;
      const at = key === undefined ? base : typeof key === 'number' ? `${base}[${key}]` : `${base}["${key}"]`;
      if (at === address) return i;
    }
  }
  throw new Error(`no ${address}`);
}

/** Writes each state to a new temporary directory; the paths in the order given. */
export function writeStates(states: Readonly<Record<string, TfState>>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-drift-states-'));
  const paths: Record<string, string> = {};
  for (const [name, state] of Object.entries(states)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], JSON.stringify(state));
  }
  return paths;
}

export async function indexOf(paths: readonly string[]): Promise<{ index: DeclaredIndex; problems: Problem[] }> {
  const loaded = await loadStates(paths);
  return { index: loaded.index, problems: loaded.problems };
}

/** A record through the real normalizer and diff. */
export function findingOf(record: JsonObject, index: DeclaredIndex): DriftFinding {
  const result = normalizeRecord(record, '');
  if (result.kind !== 'event') throw new Error(JSON.stringify(result));
  return diffEvent(result.event, index, { terraformPrincipals: [] });
}
