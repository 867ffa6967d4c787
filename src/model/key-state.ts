import type { KeyState } from './snapshot.ts';

// Every KeyState of the KMS API reference (DescribeKey's KeyMetadata.KeyState).
const KEY_STATES: ReadonlySet<string> = new Set<KeyState>([
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingReplicaDeletion',
  'PendingImport',
  'Unavailable',
  'Creating',
  'Updating',
]);

export function isKeyState(text: string): text is KeyState {
  return KEY_STATES.has(text);
}
