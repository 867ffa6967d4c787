import { fieldRegistry } from '../rules/lang/fields.ts';
import type { CliIo } from './replay.ts';

/** The field registry as a table: what a rule author can write in a condition or an output. */
export function listFields(io: CliIo, markdown: boolean): number {
  const fields = fieldRegistry.all();
  if (markdown) {
    io.out('| field | type | description | example |');
    io.out('|---|---|---|---|');
  }
  for (const f of fields) {
    const name = f.argument === 'none' ? f.name : `${f.name}[${f.argument === 'required' ? 'arg' : 'arg?'}]`;
    io.out(
      markdown
        ? `| \`${name}\` | ${f.type} | ${f.description.replace(/\|/g, '\\|')} | \`${f.example}\` |`
        : `${name.padEnd(34)} ${f.type.padEnd(8)} ${f.description}`,
    );
  }
  return 0;
}
