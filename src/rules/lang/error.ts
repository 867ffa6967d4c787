import type { Pos } from './ast.ts';

/** A parse or compile error in a condition or output; `pos` is relative to the text given to the language. */
export interface LangError {
  readonly message: string;
  readonly pos: Pos;
}

/** Thrown only inside the parser to unwind recursive descent; never escapes the module. */
export class ParseFailure extends Error {
  readonly langError: LangError;
  constructor(langError: LangError) {
    super(langError.message);
    this.langError = langError;
  }
}
