import type { DeclaredIndex } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { KmsEvent } from '../model/kms-event.ts';
import { terraformMatcher } from './by-terraform.ts';
import { diffKey } from './key.ts';
import { diffAlias } from './alias.ts';
import { diffGrant } from './grant.ts';
import { diffCustomKeyStore } from './custom-key-store.ts';
import { markMissing } from './missing.ts';

export interface DiffOptions {
  /** ARN patterns (`*` wildcard) of principals whose changes are Terraform's own. */
  readonly terraformPrincipals: readonly string[];
  /** Accounts besides the key's own that key policies and grants may name (not reported as external). */
  readonly allowedAccounts?: readonly string[];
}

export type Differ = (event: KmsEvent, index: DeclaredIndex) => DriftFinding;

/** Builds the differ once (the allowlist is compiled here), then compares each event with the declarations. */
export function createDiffer(options: DiffOptions): Differ {
  const isTerraform = terraformMatcher(options.terraformPrincipals);
  const allowedAccounts: ReadonlySet<string> = new Set(options.allowedAccounts ?? []);
  const differ: Differ = (event, index) => {
    const byTerraform = isTerraform(event.actor);
    const { change } = event;
    switch (change.kind) {
      case 'alias':
        return diffAlias(event, change, index, byTerraform);
      case 'grant':
        return diffGrant(event, change, index, byTerraform, allowedAccounts);
      case 'custom_key_store':
        return diffCustomKeyStore(event, change, index, byTerraform);
      case 'none':
        // A KMS call that changes nothing (Decrypt, …) is still about its key: resource and tf.* say which it is.
        return event.key === undefined
          ? aboutNoResource(event, byTerraform)
          : diffKey(event, { kind: 'key', attributes: {} }, index, byTerraform, allowedAccounts);
      default:
        return diffKey(event, change, index, byTerraform, allowedAccounts);
    }
  };
  return (event, index) => (event.missing === undefined ? differ(event, index) : markMissing(differ(event, index)));
}

/** Another service's event, or a KMS call naming no key: no resource, nothing compared, drift type none. */
function aboutNoResource(event: KmsEvent, byTerraform: boolean): DriftFinding {
  return {
    event,
    driftType: 'none',
    changes: {},
    actual: {},
    expected: {},
    byTerraform,
    ...(event.account === undefined ? {} : { account: event.account }),
    ...(event.region === undefined ? {} : { region: event.region }),
  };
}

export function diffEvent(event: KmsEvent, index: DeclaredIndex, options: DiffOptions): DriftFinding {
  return createDiffer(options)(event, index);
}
