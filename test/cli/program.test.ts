import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { buildFullProgram, buildProgram } from '../../src/cli/program.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

describe('keywarden command table', () => {
  it('lists every command with the term and summary its group registers', async () => {
    const full = await buildFullProgram();
    const registered = Object.fromEntries(
      full.commands.map((c: Command) => [
        c.name(),
        { term: new Help().subcommandTerm(c), summary: c.description() },
      ]),
    );
    expect(registered).toEqual(COMMANDS);
  });

  it('top-level help comes from the table: no group is loaded, so no command has options or subcommands', async () => {
    const top = await buildProgram(['--help']);
    expect(top.commands.map((c) => c.name())).toEqual(Object.keys(COMMANDS));
    for (const c of top.commands) {
      expect(c.commands).toEqual([]);
      expect(c.options).toEqual([]);
    }
    // A named command loads its own group, and only that one.
    const scan = await buildProgram(['scan', '.']);
    expect(scan.commands.map((c) => c.name())).toEqual(['scan']);
    expect(scan.commands[0]?.options.length).toBeGreaterThan(5);
    const helpKey = await buildProgram(['help', 'key']);
    expect(helpKey.commands.map((c) => c.name())).toEqual(['key']);
  });

  it('prints its version, help and a suggestion for a typo (CLI)', () => {
    const version = (
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }
    ).version;
    expect(execFileSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
    const help = execFileSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help).toContain('scan [options] [path]');
    expect(help).toContain(COMMANDS.lockdown.term);
    const typo = spawnSync(process.execPath, [MAIN, 'scna'], { encoding: 'utf8' });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('Did you mean scan?');
  });
});
