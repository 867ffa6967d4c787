/**
 * The exit codes of every command: one table, printed by `kms-drift --help` and pasted into the README (a test keeps
 * them equal). CI scripts branch on these, so a code never changes meaning.
 */
export const EXIT = {
  ok: 0,
  unusable: 1,
  usage: 2,
  failOn: 3,
  incomplete: 4,
  undelivered: 5,
} as const;

export const EXIT_CODES: readonly { readonly code: number; readonly meaning: string }[] = [
  { code: EXIT.ok, meaning: 'done: every input was read, no drift log reached `--fail-on`; `run`: stopped cleanly' },
  {
    code: EXIT.unusable,
    meaning:
      'rules or states unusable: nothing was processed (`rules validate`/`rules test`: an error or a failed case)',
  },
  {
    code: EXIT.usage,
    meaning:
      'usage or configuration error: unknown option, bad value, malformed principal pattern, unsupported Node.js',
  },
  { code: EXIT.failOn, meaning: 'a drift log at the `--fail-on` priority or above was written (replay, scan, demo)' },
  {
    code: EXIT.incomplete,
    meaning:
      'inputs incomplete: an input was missing or unreadable, or a record had an error (replay), or an account, Region, key or grant could not be read (scan); everything else was processed. 3 wins over 4',
  },
  {
    code: EXIT.undelivered,
    meaning:
      'an alert was not acknowledged by `--http-output` after its retries (replay): every drift log was written to stdout, the alerts from that one on were not posted. 3 and 4 win over 5',
  },
];

export function exitCodesMarkdownTable(): string {
  return ['| exit | meaning |', '|---|---|', ...EXIT_CODES.map((e) => `| ${e.code} | ${e.meaning} |`)].join('\n');
}
