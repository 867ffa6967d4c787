import type { Problem } from '../../model/problem.ts';
import type { SourcePos } from './text.ts';

export function error(code: Problem['code'], at: SourcePos, message: string): Problem {
  return { code, severity: 'error', source: at.file, line: at.line, column: at.col, message };
}

export function warning(code: Problem['code'], at: SourcePos, message: string): Problem {
  return { code, severity: 'warning', source: at.file, line: at.line, column: at.col, message };
}
