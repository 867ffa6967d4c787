import { fieldRegistry } from '../../src/rules/lang/fields.ts';

// A rules file of our own in Falco's format that uses every field of the registry and every operator, with the
// Falco-only keys (source, required_engine_version, required_plugin_versions, skip-if-unknown-filter,
// warn_evttypes) — it must load without an error and evaluate on real records without throwing.
const ARG: Record<string, string> = {
  'json.value': '/requestParameters/keyId',
  'jevt.value': '/eventName',
  'drift.tags': 'Department',
  'tf.tags': 'Department',
};

export function compatFile(): string {
  let text = `- required_engine_version: 0.26.0\n- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.10.0\n  - name: json\n    version: 0.7.0\n`;
  fieldRegistry.all().forEach((f, i) => {
    const field =
      f.argument === 'required' || ARG[f.name] !== undefined ? `${f.name}[${ARG[f.name] ?? '/eventName'}]` : f.name;
    text += `- rule: field_${i}\n  desc: uses ${f.name}\n  condition: ${field} exists\n  output: "%${field}"\n  priority: debug\n  source: aws_cloudtrail\n  warn_evttypes: false\n`;
  });
  const ops = [
    'ct.name = DisableKey',
    'ct.name == DisableKey',
    'ct.name != EnableKey',
    'ct.time < "2030-01-01"',
    'ct.time <= "2030"',
    'evt.rawtime > 0',
    'evt.rawtime >= 1',
    'ct.user contains Ali',
    'ct.user icontains ali',
    'ct.src bcontains 6b6d73',
    'ct.user startswith A',
    'ct.src bstartswith 6b6d73',
    'ct.src endswith .com',
    'ct.src glob "kms.*"',
    'ct.src iglob "KMS.*"',
    'ct.user regex "A[a-z]+"',
    'ct.name in (DisableKey, EnableKey)',
    'drift.changed intersects (key_state)',
    'json.value[/eventSource] pmatch (kms.amazonaws.com)',
    'ct.error exists',
    'tolower(ct.user) = alice',
    'toupper(ct.user) = ALICE',
    'len(ct.user) = 5',
    'basename(ct.src) = kms.amazonaws.com',
    'ct.user = val(ct.user)',
    'not ct.error exists',
    'nope.field = 1',
  ];
  ops.forEach((cond, i) => {
    text += `- rule: op_${i}\n  desc: operator\n  condition: ${cond}\n  output: "op ${i} %ct.name"\n  priority: debug\n${cond.startsWith('nope') ? '  skip-if-unknown-filter: true\n' : ''}`;
  });
  return text;
}
