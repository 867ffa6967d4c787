/**
 * Settings of the compliance features: which other accounts key policies may name, and the break-glass procedure
 * (who may revoke a key in an emergency, who may bring it back, and for how long).
 */
export interface ComplianceSettings {
  /** Accounts besides the key's own that key policies may grant (not reported in external_accounts). */
  readonly allowedAccounts: readonly string[];
  /** ARN patterns (`*` wildcard) of the emergency principals: their DisableKey, ScheduleKeyDeletion, RevokeGrant. */
  readonly emergencyPrincipals: readonly string[];
  /** ARN patterns of who may undo an emergency action (EnableKey, CancelKeyDeletion); empty = the emergency ones. */
  readonly recoveryPrincipals: readonly string[];
  /** Days after an emergency action within which a recovery is expected. */
  readonly recoveryWindowDays: number;
}

export const DEFAULT_COMPLIANCE: ComplianceSettings = {
  allowedAccounts: [],
  emergencyPrincipals: [],
  recoveryPrincipals: [],
  recoveryWindowDays: 7,
};
