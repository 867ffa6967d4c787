/** An instant split as Falco's event timestamps are: whole seconds since the epoch and nanoseconds. */
export interface EventTime {
  readonly seconds: number;
  readonly nanos: number;
}

/**
 * An ISO 8601 time to seconds and nanoseconds, keeping all nine digits of a fraction (Date.parse keeps three).
 * Undefined when it is not a date.
 */
export function eventTime(iso: string): EventTime | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  const fraction = /T[0-9:]+\.([0-9]+)/.exec(iso)?.[1];
  const nanos = fraction === undefined ? (ms - seconds * 1000) * 1e6 : Number(fraction.slice(0, 9).padEnd(9, '0'));
  return { seconds, nanos };
}
