import type { ParseArgsOptionsConfig } from 'node:util';
import type { ComplianceSettings } from '../model/compliance.ts';

/** The command-line options of the compliance settings, for every command that builds a core (parseArgs shape). */
export const COMPLIANCE_OPTIONS = {
  'allowed-account': { type: 'string', multiple: true, default: [] as string[] },
  'emergency-principal': { type: 'string', multiple: true, default: [] as string[] },
  'recovery-principal': { type: 'string', multiple: true, default: [] as string[] },
  'recovery-window-days': { type: 'string' },
} satisfies ParseArgsOptionsConfig;

export interface ComplianceOptionValues {
  readonly 'allowed-account': readonly string[];
  readonly 'emergency-principal': readonly string[];
  readonly 'recovery-principal': readonly string[];
  readonly 'recovery-window-days'?: string | undefined;
}

/** The settings the options give, or the message of the first invalid one (a usage error). */
export function complianceSettings(values: ComplianceOptionValues): Partial<ComplianceSettings> | string {
  const bad = values['allowed-account'].find((v) => !/^\d{12}$/.test(v));
  if (bad !== undefined) return `--allowed-account: expected a 12-digit AWS account id, got '${bad}'`;
  const window = values['recovery-window-days'];
  const days = window === undefined ? undefined : Number(window);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 365))
    return `--recovery-window-days: expected a whole number from 1 to 365, got '${window ?? ''}'`;
  return {
    allowedAccounts: values['allowed-account'],
    emergencyPrincipals: values['emergency-principal'],
    recoveryPrincipals: values['recovery-principal'],
    ...(days === undefined ? {} : { recoveryWindowDays: days }),
  };
}
