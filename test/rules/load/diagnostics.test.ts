import { describe, expect, it } from 'vitest';
import { loadRules } from '../../../src/rules/load/load.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { MAX_RULES_FILE_CHARS } from '../../../src/rules/load/yaml.ts';
import { readFileSync } from 'node:fs';
import { FIXTURES } from './finding.ts';

// Every broken rules file must be reported with Falco's code at the exact line:col of its cause, as
// `file:line:col CODE message` (what `kms-drift rules validate` prints). Lines are joined with '\n'.
const R = (...lines: string[]): string => `${lines.join('\n')}\n`;
const RULE_HEAD = ['- rule: r', '  desc: d'];
const RULE_TAIL = ['  output: o', '  priority: info'];
const rule = (...condition: string[]): string => R(...RULE_HEAD, ...condition, ...RULE_TAIL);

function problems(...texts: string[]): string[] {
  return loadRules(texts.map((text, i) => ({ path: `f${i}.yaml`, text }))).problems.map(formatProblem);
}

const CASES: readonly (readonly [string, string, readonly string[]])[] = [
  // Conditions: the YAML position of the scalar plus the parser's position inside it.
  [
    'unknown field, one-line condition',
    rule('  condition: evt.name = X and kms.nope = 1'),
    ['f0.yaml:3:31 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.nope'],
  ],
  [
    'unknown field, condition on the next line (the spec example shape)',
    rule('  condition:', '    cloud.service = "kms" and evt.nme = "X"'),
    ['f0.yaml:4:31 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    'unknown field, plain scalar continued on the next line',
    rule('  condition: cloud.service = "kms"', '    and evt.nme = "X"'),
    ['f0.yaml:4:9 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    'unknown field, folded block scalar',
    rule('  condition: >', '    cloud.service = "kms"', '    and evt.nme = "X"'),
    ['f0.yaml:5:9 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    'unknown field, literal block scalar, deeper indent',
    rule('  condition: |', '    cloud.service = "kms"', '      and evt.nme = "X"'),
    ['f0.yaml:5:11 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    'unknown field, double-quoted with escaped quotes',
    rule('  condition: "cloud.service = \\"kms\\" and evt.nme = X"'),
    ['f0.yaml:3:43 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    "unknown field, single-quoted with '' escapes",
    rule("  condition: 'user = ''a b'' and evt.nme = X'"),
    ['f0.yaml:3:34 LOAD_ERR_COMPILE_CONDITION nonexistent field evt.nme'],
  ],
  [
    'bad operator, at the operator',
    rule('  condition: evt.name equals X'),
    ["f0.yaml:3:23 LOAD_ERR_COMPILE_CONDITION unexpected token after 'evt.name', expecting an operator"],
  ],
  [
    'unclosed parenthesis, at the parenthesis left open',
    rule('  condition: (evt.name = X and user = y'),
    ['f0.yaml:3:14 LOAD_ERR_COMPILE_CONDITION missing closing parenthesis'],
  ],
  [
    'unclosed parenthesis, condition on the next lines',
    rule('  condition:', '    evt.name = X and', '      (user = y or user = z'),
    ['f0.yaml:5:7 LOAD_ERR_COMPILE_CONDITION missing closing parenthesis'],
  ],
  [
    'undefined macro, at the identifier',
    rule('  condition: evt.name = X and not_a_macro'),
    ["f0.yaml:3:31 LOAD_ERR_VALIDATE Undefined macro 'not_a_macro' used in filter."],
  ],
  [
    'undefined macro inside a macro, where the macro is written',
    R('- macro: m', '  condition: evt.name = X and nope', ...RULE_HEAD, '  condition: m', ...RULE_TAIL),
    ["f0.yaml:2:31 LOAD_ERR_VALIDATE Undefined macro 'nope' used in filter."],
  ],
  [
    'unknown field inside a macro, where the macro is written',
    R('- macro: m', '  condition:', '    kms.nope = 1', ...RULE_HEAD, '  condition: m', ...RULE_TAIL),
    ['f0.yaml:3:5 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.nope'],
  ],
  [
    'unknown output field, at the field',
    R(...RULE_HEAD, '  condition: evt.name = X', '  output: "x %nope.field y"', '  priority: info'),
    ["f0.yaml:4:15 LOAD_ERR_COMPILE_OUTPUT unknown field 'nope.field' in output"],
  ],
  [
    'bad priority, at the value',
    R(...RULE_HEAD, '  condition: evt.name = X', '  output: o', '  priority: loud'),
    [
      "f0.yaml:5:13 LOAD_ERR_VALIDATE Invalid priority 'loud' (one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug)",
    ],
  ],
  [
    'missing condition, at the item',
    R(...RULE_HEAD, ...RULE_TAIL),
    ["f0.yaml:1:3 LOAD_ERR_YAML_VALIDATE Item has no mapping for key 'condition'"],
  ],
  [
    'condition that is not a string, at the value',
    R(...RULE_HEAD, '  condition: [a, b]', ...RULE_TAIL),
    ["f0.yaml:3:14 LOAD_ERR_YAML_VALIDATE Value for 'condition' is not a scalar value"],
  ],
  [
    'YAML syntax error, where the parser stops',
    R('- rule: r', '  desc: [d', '  condition: evt.name = X'),
    [
      'f0.yaml:3:3 LOAD_ERR_YAML_PARSE Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ],
  [
    'a document that is not a sequence',
    R('rule: r', 'condition: x'),
    ['f0.yaml:1:1 LOAD_ERR_YAML_VALIDATE Rules content is not yaml array of objects'],
  ],
  [
    'an element that is not a map',
    R('- just text'),
    ['f0.yaml:1:3 LOAD_ERR_YAML_VALIDATE Unexpected element type. Each element should be a yaml associative array.'],
  ],
  [
    'override of a missing rule, at the item',
    R('- rule: ghost', '  condition: and x', '  override:', '    condition: append'),
    ["f0.yaml:1:3 LOAD_ERR_VALIDATE Rule 'ghost' has 'override' but no previous rule to append to"],
  ],
  [
    'override of a missing list',
    R('- list: ghost', '  items: [a]', '  override: {items: replace}'),
    ["f0.yaml:1:3 LOAD_ERR_VALIDATE List 'ghost' has 'override' but no previous list to replace"],
  ],
  [
    'legacy append to a missing macro',
    R('- macro: ghost', '  condition: or x', '  append: true'),
    [
      "f0.yaml:1:3 LOAD_ERR_VALIDATE Macro 'ghost' has 'override' but no previous macro to append to",
      "f0.yaml:3:3 LOAD_DEPRECATED_ITEM 'append' is deprecated; use 'override'",
    ],
  ],
  [
    'append to a key that can only be replaced, at the mode',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '- rule: r',
      '  priority: error',
      '  override:',
      '    priority: append',
    ),
    ["f0.yaml:9:15 LOAD_ERR_YAML_VALIDATE Key 'priority' cannot be appended to, use 'replace' instead"],
  ],
  [
    'a key without an override entry, at the key',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '- rule: r',
      '  output: p',
      '  desc: e',
      '  override: {output: replace}',
    ),
    ["f0.yaml:8:3 LOAD_ERR_YAML_VALIDATE Unexpected key 'desc': no corresponding entry under 'override' is defined."],
  ],
  [
    "'override' and 'append' together, at 'append'",
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '- rule: r',
      '  output: p',
      '  append: true',
      '  override: {output: replace}',
    ),
    ["f0.yaml:8:3 LOAD_ERR_YAML_VALIDATE Keys 'override' and 'append' cannot be used together."],
  ],
  [
    'exception comp that is not an operator, at the comp',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - name: e',
      '      fields: [user, evt.name]',
      '      comps: [=, equals]',
      '      values: [[a, b]]',
    ),
    ["f0.yaml:9:18 LOAD_ERR_VALIDATE Exception 'e': 'equals' is not a supported comparison operator"],
  ],
  [
    'exception with an unknown field, at the field',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - name: e',
      '      fields: [user, kms.nope]',
      '      values: [[a, b]]',
    ),
    ['f0.yaml:8:22 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.nope'],
  ],
  [
    'exception tuple of the wrong length, at the tuple',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - name: e',
      '      fields: [user, evt.name]',
      '      values:',
      '        - [a, b]',
      '        - [c]',
    ),
    ["f0.yaml:11:11 LOAD_ERR_VALIDATE Exception 'e': value tuple has 1 elements, fields has 2"],
  ],
  [
    'scalar-form exception with a non-list comp, at the comp',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - name: e',
      '      fields: user',
      '      comps: "="',
      '      values: [a]',
    ),
    [
      "f0.yaml:9:14 LOAD_ERR_VALIDATE Exception 'e': '=' is not a supported comparison operator for a single field (in, pmatch, intersects)",
    ],
  ],
  [
    'appending fields to an existing exception, at the exception',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - {name: e, fields: [user], values: [[a]]}',
      '- rule: r',
      '  exceptions:',
      '    - {name: e, fields: [user], values: [[b]]}',
      '  override: {exceptions: append}',
    ),
    ["f0.yaml:10:7 LOAD_ERR_VALIDATE Can not append exception fields or comps to existing exception 'e', only values"],
  ],
  [
    'appending an exception with no values',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - {name: e, fields: [user], values: [[a]]}',
      '- rule: r',
      '  exceptions:',
      '    - {name: e}',
      '  override: {exceptions: append}',
    ),
    ["f0.yaml:10:7 LOAD_APPEND_NO_VALUES Overriding/appending exception 'e' with no values"],
  ],
  [
    'two exceptions with one name',
    R(
      ...RULE_HEAD,
      '  condition: evt.name = X',
      ...RULE_TAIL,
      '  exceptions:',
      '    - {name: e, fields: user, values: [a]}',
      '    - {name: e, fields: user, values: [b]}',
    ),
    ["f0.yaml:8:7 LOAD_EXCEPTION_NAME_NOT_UNIQUE Multiple definitions of exception 'e' in the same rule 'r'"],
  ],
  [
    'unknown source: a warning at the value, the rule is skipped',
    R(...RULE_HEAD, '  condition: evt.name = X', ...RULE_TAIL, '  source: syscall'),
    ['f0.yaml:6:11 LOAD_UNKNOWN_SOURCE Unknown source syscall, skipping'],
  ],
  [
    'unknown key: a warning at the key',
    R(...RULE_HEAD, '  condition: evt.name = X', ...RULE_TAIL, '  colour: red'),
    ["f0.yaml:6:3 LOAD_UNKNOWN_KEY Unknown key 'colour'. The key will be ignored."],
  ],
  ['unknown item: a warning at the item', R('- pipeline: p'), ['f0.yaml:1:3 LOAD_UNKNOWN_ITEM Unknown top level item']],
  [
    'enabled that is not a boolean, at the value',
    R(...RULE_HEAD, '  condition: evt.name = X', ...RULE_TAIL, '  enabled: maybe'),
    ["f0.yaml:6:12 LOAD_ERR_YAML_VALIDATE Value for 'enabled' must be a boolean (true or false)"],
  ],
  [
    'an engine version newer than ours, at the value',
    R('- required_engine_version: 0.99.0'),
    ['f0.yaml:1:28 LOAD_ERR_VALIDATE Rules require engine version 0.99.0, but engine version is 0.63.0'],
  ],
  [
    "a plugin we do not provide: Falco's error, at the entry",
    R(
      '- required_plugin_versions:',
      '  - name: cloudtrail',
      '    version: 0.10.0',
      '  - name: k8saudit',
      '    version: 0.1.0',
    ),
    [
      'f0.yaml:4:5 LOAD_ERR_VALIDATE Plugin requirement not satisfied, must load one of: k8saudit (>= 0.1.0) (kms-drift provides cloudtrail 0.17.1, json 0.7.4)',
    ],
  ],
  [
    'a cloudtrail plugin newer than the one we follow, or of another major version',
    R(
      '- required_plugin_versions:',
      '  - name: cloudtrail',
      '    version: 0.17.2',
      '  - name: json',
      '    version: 1.0.0',
      '  - name: cloudtrail',
      '    version: 0.17.1',
    ),
    [
      "f0.yaml:2:5 LOAD_ERR_VALIDATE Plugin 'cloudtrail' version '0.17.1' is not compatible with required plugin version '0.17.2'",
      "f0.yaml:4:5 LOAD_ERR_VALIDATE Plugin 'json' version '0.7.4' is not compatible with required plugin version '1.0.0'",
    ],
  ],
  [
    'the first alternative naming a plugin we have decides (Falco does not try the next)',
    R(
      '- required_plugin_versions:',
      '  - name: cloudtrail',
      '    version: 0.99.0',
      '    alternatives:',
      '      - name: json',
      '        version: 0.1.0',
    ),
    [
      "f0.yaml:2:5 LOAD_ERR_VALIDATE Plugin 'cloudtrail' version '0.17.1' is not compatible with required plugin version '0.99.0'",
    ],
  ],
  [
    'a version that is not major.minor.patch, and a plugin named twice in one entry',
    R(
      '- required_plugin_versions:',
      '  - name: cloudtrail',
      '    version: latest',
      '  - name: json',
      '    version: 0.1.0',
      '    alternatives:',
      '      - name: json',
      '        version: 0.2.0',
    ),
    [
      "f0.yaml:2:5 LOAD_ERR_VALIDATE Invalid required version 'latest' for plugin 'cloudtrail'",
      "f0.yaml:4:5 LOAD_ERR_VALIDATE Defined multiple alternative version requirements for plugin 'json'",
    ],
  ],
  [
    "an unused macro naming another source's fields: only unused (Falco compiles macros through rules)",
    R('- macro: k8s_user', '  condition: ka.user.name = admin'),
    ["f0.yaml:1:3 LOAD_UNUSED_MACRO Macro 'k8s_user' not referred to by any other rule/macro"],
  ],
  [
    'the same macro used by a rule: the field is an error, where the macro writes it',
    R('- macro: k8s_user', '  condition: ka.user.name = admin', ...RULE_HEAD, '  condition: k8s_user', ...RULE_TAIL),
    ['f0.yaml:2:14 LOAD_ERR_COMPILE_CONDITION nonexistent field ka.user.name'],
  ],
  [
    'an output token that only begins with a field: printed as Falco prints it, with a warning',
    R(...RULE_HEAD, '  condition: ct.name = X', '  output: "who=%ct.username at %evt.time.s"', '  priority: info'),
    ["f0.yaml:4:17 LOAD_COMPILE_OUTPUT '%ct.username' is no field: Falco prints ct.user followed by 'name'"],
  ],
  [
    'a plugin requirement met by an alternative: no problem',
    R(
      '- required_plugin_versions:',
      '  - name: aws_cloudtrail_ext',
      '    version: 1.0.0',
      '    alternatives:',
      '      - name: cloudtrail',
      '        version: 0.10.0',
    ),
    [],
  ],
  [
    'an enabled-only item for a missing rule',
    R('- rule: ghost', '  enabled: false'),
    [
      "f0.yaml:1:3 LOAD_ERR_VALIDATE Rule 'ghost' has 'enabled' key but no other keys and no previous rule to enable or disable",
    ],
  ],
  [
    'skip-if-unknown-filter: the unknown field is a warning, at the field',
    R(...RULE_HEAD, '  condition: evt.name = X and k8s.ns.name = y', ...RULE_TAIL, '  skip-if-unknown-filter: true'),
    ['f0.yaml:3:31 LOAD_UNKNOWN_FILTER nonexistent field k8s.ns.name'],
  ],
];

describe('rules load: every broken file reported with its code at line:col', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  // Files written on Windows: the same places.
  it.each(CASES)('%s (CRLF line ends)', (_name, text, expected) => {
    expect(problems(text.replace(/\n/g, '\r\n'))).toEqual(expected);
  });

  it('several mistakes in one file: all reported, in file order, and the good rule still loads', () => {
    const path = 'fixtures/own/rules/broken.yaml';
    const loaded = loadRules([{ path, text: readFileSync(`${FIXTURES}own/rules/broken.yaml`, 'utf8') }]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      `${path}:4:40 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.nope`,
      `${path}:12:13 LOAD_ERR_VALIDATE Invalid priority 'urgent' (one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug)`,
      `${path}:17:35 LOAD_ERR_VALIDATE Undefined macro 'is_terraform' used in filter.`,
      `${path}:23:14 LOAD_ERR_COMPILE_CONDITION missing closing parenthesis`,
      `${path}:27:3 LOAD_ERR_VALIDATE Rule 'no_such_rule' has 'override' but no previous rule to replace`,
      `${path}:35:13 LOAD_ERR_COMPILE_OUTPUT unknown field 'nope' in output`,
    ]);
    expect(loaded.ruleset.rules.map((r) => r.name)).toEqual(['fine']);
  });

  it('problems of several files: each names its file, files in the order given', () => {
    expect(
      problems(
        rule('  condition: evt.name = X and kms.a = 1'),
        rule('  condition: kms.b = 1').replace('rule: r', 'rule: s'),
      ),
    ).toEqual([
      'f0.yaml:3:31 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.a',
      'f1.yaml:3:14 LOAD_ERR_COMPILE_CONDITION nonexistent field kms.b',
    ]);
  });

  it('a file over the size limit is refused before parsing', () => {
    expect(problems(`# ${'x'.repeat(MAX_RULES_FILE_CHARS)}\n`)).toEqual([
      `f0.yaml:1:1 LOAD_ERR_YAML_PARSE rules file too large (limit ${MAX_RULES_FILE_CHARS} characters)`,
    ]);
  });
});
