import { COMMANDS, RULES_SUBCOMMANDS } from './commands.ts';

export const SHELLS = ['bash', 'zsh'] as const;

/**
 * A completion script generated from the command table, so it offers exactly the options that parse. zsh runs the
 * same function through its bash compatibility layer (bashcompinit), which every zsh ships.
 */
export function completionScript(shell: (typeof SHELLS)[number]): string {
  const top = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] ?? ''))].join(' ');
  const cases = COMMANDS.map((c) => {
    const options = c.options.flatMap((o) => [`--${o.option}`, ...(o.short === undefined ? [] : [`-${o.short}`])]);
    return `    '${c.name}') opts='${options.join(' ')}' ;;`;
  });
  const valueCases = [
    ...new Map(
      COMMANDS.flatMap((c) => c.options)
        .filter((o) => o.choices !== undefined)
        .map((o) => [
          o.option,
          `    --${o.option}) COMPREPLY=($(compgen -W '${(o.choices ?? []).join(' ')}' -- "$cur")); return ;;`,
        ]),
    ).values(),
  ];
  const takesValue = [
    ...new Set(COMMANDS.flatMap((c) => c.options.filter((o) => o.kind !== 'boolean').map((o) => `--${o.option}`))),
  ].join('|');
  const bash = `# kms-drift ${shell} completion: source <(kms-drift completion ${shell})
_kms_drift() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}" opts=''
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W '${top} --help --version' -- "$cur")); return
  fi
  if [ "$cmd" = rules ]; then
    if [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W '${RULES_SUBCOMMANDS.join(' ')}' -- "$cur")); return; fi
    cmd="rules \${COMP_WORDS[2]}"
  fi
  case "$prev" in
${valueCases.join('\n')}
    ${takesValue}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$cmd" = completion ]; then COMPREPLY=($(compgen -W '${SHELLS.join(' ')}' -- "$cur"))
  else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _kms_drift kms-drift
`;
  return shell === 'bash' ? bash : `autoload -U +X bashcompinit && bashcompinit\n${bash}`;
}
