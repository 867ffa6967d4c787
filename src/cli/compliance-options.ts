import type { ParseArgsOptionsConfig } from 'node:util';
import type { ComplianceSettings } from '../model/compliance.ts';
import { commandSettings } from './command-settings.ts';
import { UsageError } from './parse.ts';

/**
 * The command-line options of the compliance settings in parseArgs' shape, for `rules explain`'s own parser (the
 * option names are the settings table's: a test checks them against it).
 */
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

/** The settings the options give, validated as `run` validates them, or the message of every invalid one. */
export function complianceSettings(values: ComplianceOptionValues): Partial<ComplianceSettings> | string {
  try {
    return commandSettings(
      {
        'allowed-account': [...values['allowed-account']],
        'emergency-principal': [...values['emergency-principal']],
        'recovery-principal': [...values['recovery-principal']],
        'recovery-window-days': values['recovery-window-days'],
      },
      ['allowedAccounts', 'emergencyPrincipals', 'recoveryPrincipals', 'recoveryWindowDays'],
    );
  } catch (err: unknown) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
}
