/** What the commands need to know about where their output goes, read once in main.ts. */
export interface Terminal {
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** ANSI colour on stdout's text lines. */
  readonly colour: boolean;
  /** Raw text to stderr, no newline added (the progress line rewrites itself with \r). */
  readonly writeStderr: (text: string) => void;
  readonly now: () => number;
}

/** NO_COLOR (https://no-color.org) wins; FORCE_COLOR asks for colour on a pipe; otherwise colour on a terminal. */
export function colourWanted(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if ((env['NO_COLOR'] ?? '') !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return isTTY;
}

export const NO_TERMINAL: Terminal = {
  stdoutIsTTY: false,
  stderrIsTTY: false,
  colour: false,
  writeStderr: () => undefined,
  now: Date.now,
};

/**
 * One status line on stderr, rewritten in place at most every `intervalMs`, for long replays and scans on a
 * terminal. Whoever writes a whole line (a drift log, a problem) clears it first, so lines never mix with it.
 */
export class Progress {
  private shown = false;
  private last: number;
  private readonly term: Terminal;
  private readonly intervalMs: number;

  /** The first update shows after `intervalMs`: a short run never flashes a status line. */
  constructor(term: Terminal, intervalMs = 200) {
    this.term = term;
    this.intervalMs = intervalMs;
    this.last = term.now();
  }

  update(text: () => string): void {
    const now = this.term.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    this.term.writeStderr(`\r\x1b[K${text()}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.term.writeStderr('\r\x1b[K');
    this.shown = false;
  }
}
