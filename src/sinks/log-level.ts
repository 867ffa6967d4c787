import type { Priority } from '../model/priority.ts';

/**
 * pino has six levels and Falco eight priorities. Drift logs keep pino's numeric levels so any pino consumer
 * (pino-pretty, log shippers keyed on level ≥ 50) works unchanged; the exact Falco name is in `priority`.
 */
export const PINO_LEVEL: Readonly<Record<Priority, 'fatal' | 'error' | 'warn' | 'info' | 'debug'>> = {
  Emergency: 'fatal',
  Alert: 'fatal',
  Critical: 'fatal',
  Error: 'error',
  Warning: 'warn',
  Notice: 'info',
  Informational: 'info',
  Debug: 'debug',
};
