/**
 * Secrets never travel in argv (DESIGN.md §vault): `ps` and shell history show every argument.
 * So no CLI option may take a secret's value; secret-bearing options name where to read it
 * (`--passphrase-file`, `--from-env VAR`, `--key-file`), and the rest come from a prompt or stdin.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildFullProgram } from '../../src/cli/program.js';

const SECRETISH = /secret|password|passphrase|token|api-?key|master|private|credential|hmac/i;
const SOURCE = /-(file|env)$|^--(from-env|from-file)$/;

function walk(cmd: Command, path: string[], out: Array<{ path: string; flag: string }>): void {
  for (const opt of cmd.options)
    if ((opt.required || opt.optional) && opt.long !== undefined)
      out.push({ path: [...path, cmd.name()].join(' '), flag: opt.long });
  for (const sub of cmd.commands) walk(sub, [...path, cmd.name()], out);
}

describe('no CLI option takes a secret value in argv', () => {
  it('every value-taking option named like a secret names a file or an env variable instead', async () => {
    const options: Array<{ path: string; flag: string }> = [];
    walk(await buildFullProgram(), [], options);
    // Control: the walk reaches the secret-source options, so an empty result cannot pass silently.
    expect(options.map((o) => o.flag)).toEqual(expect.arrayContaining(['--passphrase-file', '--from-env']));
    const offending = options.filter((o) => SECRETISH.test(o.flag) && !SOURCE.test(o.flag));
    expect(offending).toEqual([]);
  });

  it('no command takes a positional argument named like a secret', async () => {
    const found: string[] = [];
    const visit = (cmd: Command, path: string): void => {
      for (const arg of cmd.registeredArguments)
        if (SECRETISH.test(arg.name())) found.push(`${path} <${arg.name()}>`);
      for (const sub of cmd.commands) visit(sub, `${path} ${sub.name()}`);
    };
    visit(await buildFullProgram(), 'keywarden');
    expect(found).toEqual([]);
  });
});
