import type { DiagnosticCode } from '../diagnostics.ts';

/**
 * A problem with some input: a message, a record, a state file or a rule file. Every stage reports problems as data
 * with a code from the one table in `src/diagnostics.ts`, and the place: `file:line:col` for files with positions,
 * a JSON path into the message for records (`Records[0].requestParameters.keyId`).
 */
export interface Problem {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** File path, s3:// URL, `<stdin>` or a message id. */
  readonly source?: string;
  /** 1-based, for text files with positions (rule files). */
  readonly line?: number;
  readonly column?: number;
  /** JSON path into the input, for structured input. */
  readonly path?: string;
}

export function formatProblem(p: Problem): string {
  const where =
    p.source === undefined
      ? (p.path ?? '')
      : p.line !== undefined
        ? `${p.source}:${p.line}:${p.column ?? 1}`
        : p.path !== undefined
          ? `${p.source} ${p.path}`
          : p.source;
  return `${where ? `${where} ` : ''}${p.code} ${p.message}`;
}

/** Why a record was not turned into an event. Counted, never silent. */
export type SkipReason =
  | 'insight_event'
  | 'digest_file'
  | 'other_service'
  | 'untracked_kms_event'
  | 'kms_service_event'
  | 'not_cloudtrail'
  | 'duplicate';
