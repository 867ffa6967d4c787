import type { ReadSet } from '../../normalize/read-set.ts';
import type { EventIndexKeys } from '../lang/index.ts';
import { SCAN_EVENT } from '../../model/kms-event.ts';

/**
 * The records the rules can match: the union over the rules of the sources × names their conditions allow
 * (lang/index.ts eventIndexKeys, computed as Falco computes event types: `and` intersects, `or` unites, `not` widens).
 * A superset — no record a rule could match is left out — so a record outside it is skipped unread. `Scan` is
 * kms-drift's own event for what `scan` reads through the KMS API, never a CloudTrail record of KMS: a rule naming it
 * with the kms source reads no record for it.
 */
export function readSetOf(rules: readonly { readonly keys: EventIndexKeys }[]): ReadSet {
  let anySource: Set<string> | 'all' = new Set();
  const bySource = new Map<string, Set<string> | 'all'>();
  for (const { keys } of rules) {
    if (keys.sources === 'any') {
      if (keys.names === 'any') anySource = 'all';
      else if (anySource !== 'all') for (const n of keys.names) anySource.add(n);
      continue;
    }
    for (const source of keys.sources) {
      const known = bySource.get(source);
      if (known === 'all') continue;
      if (keys.names === 'any') bySource.set(source, 'all');
      else {
        const names = known ?? new Set<string>();
        for (const n of keys.names) if (!(source === 'kms' && n === SCAN_EVENT)) names.add(n);
        bySource.set(source, names);
      }
    }
  }
  if (anySource === 'all') return { anySource, bySource: new Map() };
  // Names read from every source need no second entry under one source; a source left with none reads nothing more.
  for (const [source, names] of bySource) {
    if (names === 'all') continue;
    for (const n of anySource) names.delete(n);
    if (names.size === 0) bySource.delete(source);
  }
  return { anySource, bySource };
}
