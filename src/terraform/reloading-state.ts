import type { DeclaredIndex } from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import { loadStates, stateVersion, type LoadedStates, type S3StateReader } from './load-states.ts';

export interface ReloadResult {
  readonly changed: boolean;
  /** Set when the new state could not be used: the last good state stays in use. */
  readonly problems: readonly Problem[];
}

/**
 * The state the daemon diffs against, swapped as a whole when a source changes (file mtime/size, S3 ETag). A state
 * that becomes unreadable or invalid is reported and the last good one stays: a half-written state file must not
 * turn every key into "unmanaged".
 */
export class ReloadingState {
  private loaded: LoadedStates;
  private readonly sources: readonly string[];
  private readonly s3: S3StateReader | undefined;
  /** Why the current state is not the newest, for /readyz; undefined when it is. */
  staleReason: string | undefined;

  constructor(initial: LoadedStates, sources: readonly string[], s3?: S3StateReader) {
    this.loaded = initial;
    this.sources = sources;
    this.s3 = s3;
  }

  current(): DeclaredIndex {
    return this.loaded.index;
  }

  async reloadIfChanged(): Promise<ReloadResult> {
    const version = await stateVersion(this.sources, this.s3);
    if (version === this.loaded.version && this.staleReason === undefined) return { changed: false, problems: [] };
    const next = await loadStates(this.sources, this.s3);
    const errors = next.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      this.staleReason = `state reload failed (${errors[0]?.code} in ${errors[0]?.source ?? '?'}); using the last good state`;
      return { changed: false, problems: errors };
    }
    this.loaded = next;
    this.staleReason = undefined;
    return { changed: true, problems: next.problems };
  }
}
