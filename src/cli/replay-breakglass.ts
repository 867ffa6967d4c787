import type { Core, EmittedLog, PayloadOutcome } from '../app.ts';
import { createBreakGlass } from '../breakglass/break-glass.ts';

/**
 * Replay's core holds break-glass events (app.ts `holdBreakGlass`), whether a worker or the main thread evaluated
 * the payload: this classifies them over one in-memory history, in input order, and puts their logs where the core
 * would have put them. So `--jobs N` classifies every event exactly as one thread reading the inputs in order does.
 */
export function breakGlassInOrder(core: Core): (outcome: PayloadOutcome) => PayloadOutcome {
  const stage = core.breakGlass;
  if (stage === undefined) return (outcome) => outcome;
  const breakGlass = createBreakGlass(stage.classifier, stage.evaluator);
  return (outcome) => {
    if (outcome.held.length === 0) return outcome;
    const logs: EmittedLog[] = [];
    let from = 0;
    outcome.held.forEach((finding, i) => {
      const at = outcome.heldAt?.[i] ?? outcome.logs.length;
      for (; from < at; from++) logs.push(outcome.logs[from] as EmittedLog);
      logs.push(...(breakGlass(finding) ?? stage.evaluator.evaluate(finding)));
    });
    for (; from < outcome.logs.length; from++) logs.push(outcome.logs[from] as EmittedLog);
    return { ...outcome, logs, held: [] };
  };
}
