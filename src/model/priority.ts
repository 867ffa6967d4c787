/** Falco's priorities, most severe first; the index is the severity order (0 = Emergency). */
export const PRIORITIES = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Case-insensitive, and `info` for Informational, as Falco accepts them. */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === 'info') return 'Informational';
  return PRIORITIES.find((p) => p.toLowerCase() === lower);
}

/** True when `p` is as severe as `threshold` or more. */
export function atLeast(p: Priority, threshold: Priority): boolean {
  return PRIORITIES.indexOf(p) <= PRIORITIES.indexOf(threshold);
}
