/** One planted bug: `find` must occur exactly once in `file`, so the list fails loudly when the code moves on. */
export interface Mutant {
  /** Short, stable, kebab-case: what `--only` takes. */
  readonly id: string;
  /** Repository-relative path of the file to change. */
  readonly file: string;
  /** The exact text to replace (it may span lines when one line is not unique); must occur exactly once. */
  readonly find: string;
  readonly replace: string;
  /** The smallest set of test files (repository-relative) that should fail with the bug planted. */
  readonly tests: readonly string[];
  /** One line: the bug, as a person would describe it. */
  readonly description: string;
  /**
   * A command run in the copy after the change and before the tests (argv; `node` is this Node), when the changed
   * file is the source of a generated one: the WebAssembly scanner's `.wat` is compiled into the committed `.wasm`.
   */
  readonly build?: readonly string[];
}
