/**
 * The one table of diagnostic codes. Rule-file codes are Falco's (LOAD_ERR_* errors, LOAD_* warnings) so that
 * people who know `falco -V` recognise them; input codes describe messages, records and state files.
 * Each stage appends codes to its own section only.
 */
export const DIAGNOSTICS = {
  // ── inputs: files, messages, envelopes ──────────────────────────────────────────────
  INPUT_READ: 'the input could not be read',
  INPUT_GZIP: 'the input starts like gzip but does not decompress',
  INPUT_JSON: 'the input is not valid JSON',
  INPUT_SHAPE: 'the JSON is not a CloudTrail record, log file, or a known envelope',
  // ── CloudTrail records ───────────────────────────────────────────────────────────────
  RECORD_SHAPE: 'a field of a KMS record has the wrong type or is missing',
  RECORD_KEY_UNRESOLVED: 'the record does not say which key or alias it acted on',
  RECORD_TIME: 'eventTime is missing or not a date',
  RECORD_DEPTH: 'a KMS record, or the policy in it, nests deeper than 64 levels',
  // ── Terraform state ──────────────────────────────────────────────────────────────────
  STATE_READ: 'the state could not be read',
  STATE_JSON: 'the state is not valid JSON',
  STATE_VERSION: 'the state format is not version 4',
  STATE_SHAPE: 'a KMS resource in the state has the wrong shape',
  STATE_DUPLICATE: 'two states or resources declare the same KMS key, alias or key policy; the first is used',
  // ── rule files (Falco's codes) ───────────────────────────────────────────────────────
  LOAD_ERR_FILE_READ: 'the rules file could not be read',
  LOAD_ERR_YAML_PARSE: 'invalid YAML',
  LOAD_ERR_YAML_VALIDATE: 'wrong structure or a missing required key',
  LOAD_ERR_COMPILE_CONDITION: 'the condition does not parse, or names an unknown field',
  LOAD_ERR_COMPILE_OUTPUT: 'the output format is invalid',
  LOAD_ERR_VALIDATE: 'undefined macro or list, override of nothing, bad exception, bad priority',
  LOAD_UNKNOWN_SOURCE: 'the rule has an unknown source and is skipped',
  LOAD_UNKNOWN_FILTER: 'an unknown field in a rule with skip-if-unknown-filter; the rule is skipped',
  LOAD_UNUSED_MACRO: 'the macro is never used',
  LOAD_UNUSED_LIST: 'the list is never used',
  LOAD_UNKNOWN_ITEM: 'unknown top-level item, ignored',
  LOAD_UNKNOWN_KEY: 'unknown key, ignored',
  LOAD_DEPRECATED_ITEM: 'deprecated syntax',
  LOAD_MISSING_DESC: 'the rule has no desc (Falco requires one)',
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: 'two exceptions of one rule share a name',
  LOAD_INVALID_MACRO_NAME: 'the macro name is not a valid identifier',
  LOAD_INVALID_LIST_NAME: 'the list name contains invalid characters',
  LOAD_COMPILE_CONDITION: 'the condition compiles but may not do what it says',
  LOAD_COMPILE_OUTPUT: 'the output compiles but a %token is a field followed by text, which may not be what was meant',
  LOAD_APPEND_NO_VALUES: 'an exception override carries no values',
  // ── KMS API reads (scan, live reads) ─────────────────────────────────────────────────
  SCAN_ACCESS_DENIED: 'the scan may not read a key, an account or a Region: nothing is known of it, not even missing',
  SCAN_READ: 'an account and Region could not be read through the KMS API (after the SDK retries)',
  // ── configuration and command line ───────────────────────────────────────────────────
  CONFIG_INVALID: 'a setting has an invalid value',
} as const;
export type DiagnosticCode = keyof typeof DIAGNOSTICS;
