import { readFileSync } from 'node:fs';
import { createCore, fixedState, type Core, type EmittedLog } from '../../src/app.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { ComplianceSettings } from '../../src/model/compliance.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import { resolveHeld } from '../../src/breakglass/resolve.ts';
import type { HistoryStore } from '../../src/store/store.ts';
import { ROOT } from '../helpers/cli.ts';

const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide`;
export const ACCOUNT = '111122223333';
export const EMERGENCY_ROLE = `arn:aws:iam::${ACCOUNT}:role/EmergencyKeyAdmin`;
export const RECOVERY_ROLE = `arn:aws:iam::${ACCOUNT}:role/SecurityRecovery`;
export const SETTINGS: Partial<ComplianceSettings> = {
  emergencyPrincipals: [EMERGENCY_ROLE],
  recoveryPrincipals: [RECOVERY_ROLE],
  recoveryWindowDays: 7,
};
export const T0 = Date.parse('2026-11-01T08:00:00Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

const rules = loadRules((await readRuleFiles([`${ROOT}rules`])).files).ruleset;
const state = await loadStates([`${ROOT}examples/terraform.tfstate`]);

/** A core as replay builds it (break-glass in this process), or as the daemon does (`hold`: break-glass held). */
export function core(settings: Partial<ComplianceSettings> = SETTINGS, hold = false): Core {
  return createCore(
    { ruleset: rules, terraformPrincipals: [], ...settings, ...(hold ? { holdBreakGlass: true } : {}) },
    fixedState(state.index),
  );
}

/** AWS's sample record `file`, made at `ms` by a session of `role` (null: the record's own caller, Alice). */
export function call(file: string, role: string | null, ms: number, id: string): JsonObject {
  const record = JSON.parse(readFileSync(`${DOC}/${file}`, 'utf8')) as JsonObject;
  const name = role?.split('/').at(-1) ?? 'Alice';
  return {
    ...record,
    eventID: id,
    eventTime: new Date(ms).toISOString().replace('.000Z', 'Z'),
    userIdentity:
      role === null
        ? (record['userIdentity'] ?? null)
        : {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/incident-42`,
            accountId: ACCOUNT,
            sessionContext: { sessionIssuer: { type: 'Role', arn: role, accountId: ACCOUNT, userName: name } },
          },
  };
}

/** The daemon's path for one message: the core, then the held break-glass events classified over `store`. */
export async function throughStore(c: Core, store: HistoryStore, record: JsonObject): Promise<EmittedLog[]> {
  const outcome = c.processPayload(record);
  const stage = c.breakGlass;
  if (stage === undefined) return [...outcome.logs];
  return [...outcome.logs, ...(await resolveHeld(outcome.held, store, stage))];
}

/**
 * What a reader of the logs concludes: each event's break-glass status from the last log naming it (`none` when that
 * log has none), and the events a Critical was logged for.
 */
export function conclusions(logs: readonly EmittedLog[]): { status: Record<string, string>; critical: string[] } {
  const status: Record<string, string> = {};
  const critical = new Set<string>();
  for (const l of logs) {
    const id = String(l.log['event_id']);
    status[id] = (l.log['emergency'] as { status?: string } | undefined)?.status ?? 'none';
    if (l.priority === 'Critical') critical.add(id);
  }
  return { status, critical: [...critical].sort() };
}
