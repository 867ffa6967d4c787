import { isMap } from 'yaml';
import type { ComplianceSettings } from '../../model/compliance.ts';
import { configSchema } from '../../config/schema.ts';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { JsonValue } from '../../model/json.ts';
import type { Problem } from '../../model/problem.ts';
import { readItems, scalarString } from '../load/items.ts';

/** One `- test:` item of a rules file: an event (inline or a file), an optional state, and what must happen. */
export interface RuleTestCase {
  readonly name: string;
  readonly where: string;
  /** The rules file's directory: the event file and the state must be inside it. */
  readonly dir: string;
  readonly rule: string;
  readonly expect: boolean;
  readonly output?: string;
  readonly event: { readonly inline: JsonValue } | { readonly file: string };
  readonly state?: string;
  /** Compliance settings the case runs with (allowed accounts, break-glass principals and window). */
  readonly settings?: Partial<ComplianceSettings>;
}

/** The compliance settings of `kms-drift run`, validated as its config file validates them. */
const SETTINGS = configSchema
  .pick({ allowedAccounts: true, emergencyPrincipals: true, recoveryPrincipals: true, recoveryWindowDays: true })
  .partial()
  .strict();

export function readTestCases(file: { path: string; text: string }, problems: Problem[]): RuleTestCase[] {
  const cases: RuleTestCase[] = [];
  const base = dirname(file.path);
  for (const item of readItems(file.path, file.text, [])) {
    if (item.kind !== 'test') continue;
    const where = `${item.pos.file}:${item.pos.line}:${item.pos.col}`;
    const fail = (message: string, at = item.pos): void =>
      void problems.push({
        code: 'LOAD_ERR_YAML_VALIDATE',
        severity: 'error',
        source: at.file,
        line: at.line,
        column: at.col,
        message,
      });
    const name = scalarString(item.keys.get('test'));
    // `checks`, not `rule`: an item with a `rule` key is a rule to Falco, which must still load this file.
    const rule = scalarString(item.keys.get('checks'));
    const expect = scalarString(item.keys.get('expect'));
    const inline = item.keys.get('event')?.node;
    const eventFile = scalarString(item.keys.get('event_file'));
    if (name === undefined || rule === undefined) {
      fail("a test needs 'test' (its name) and 'checks' (the rule it checks)");
      continue;
    }
    if (expect !== 'true' && expect !== 'false') {
      fail(`test '${name}': 'expect' must be true or false`);
      continue;
    }
    if ((inline === undefined || inline === null || !isMap(inline)) === (eventFile === undefined)) {
      fail(`test '${name}': give exactly one of 'event' (a map) or 'event_file'`);
      continue;
    }
    const settingsNode = item.keys.get('settings')?.node;
    const settings =
      settingsNode === undefined || settingsNode === null
        ? undefined
        : SETTINGS.safeParse((settingsNode as { toJSON(): unknown }).toJSON());
    if (settings !== undefined && !settings.success) {
      const issue = settings.error.issues[0];
      fail(`test '${name}': settings${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? ''}`);
      continue;
    }
    const state = scalarString(item.keys.get('state'));
    const output = scalarString(item.keys.get('output'));
    // A rules file names its events and states next to it: a path that leaves its directory is refused, so a
    // shared or downloaded rules file cannot make `rules test` read (and print parts of) any file on the machine.
    const outside = (['event_file', 'state'] as const).find((key) => {
      const value = key === 'state' ? state : eventFile;
      return value !== undefined && !inside(base, value);
    });
    if (outside !== undefined) {
      const value = item.keys.get(outside);
      fail(
        `test '${name}': ${outside} '${scalarString(value) ?? ''}' is outside the rules file's directory (${base})`,
        value?.pos,
      );
      continue;
    }
    cases.push({
      name,
      where,
      dir: base,
      rule,
      expect: expect === 'true',
      ...(output === undefined ? {} : { output }),
      event:
        eventFile !== undefined
          ? { file: resolve(base, eventFile) }
          : { inline: (inline as { toJSON(): unknown }).toJSON() as JsonValue },
      ...(state === undefined ? {} : { state: resolve(base, state) }),
      ...(settings === undefined ? {} : { settings: definedOnly(settings.data) }),
    });
  }
  return cases;
}

/** `path` (relative to `base`, or absolute) names a file under `base`. */
export function inside(base: string, path: string): boolean {
  const rel = relative(base, resolve(base, path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** zod's partial output may hold `undefined` values; a settings object holds only the settings given. */
function definedOnly(data: {
  [K in keyof ComplianceSettings]?: ComplianceSettings[K] | undefined;
}): Partial<ComplianceSettings> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Partial<ComplianceSettings>;
}
