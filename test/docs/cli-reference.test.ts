/**
 * docs/cli.md against the CLI itself: every command has a `### keywarden …` section, every
 * option of its --help is in that section, and every `--flag` the section names exists in the
 * command's --help (or a parent's: `--data-dir` is global, `sandbox --port` reaches `sandbox keys`).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const exec = promisify(execFile);

interface Help {
  options: string[];
  commands: string[];
}

/** Options and subcommands of a commander --help text (entries start two spaces in; wrapped lines further). */
function parseHelp(text: string): Help {
  const options: string[] = [];
  const commands: string[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const heading = /^(\w[\w ]*):$/.exec(line);
    if (heading) section = heading[1] ?? '';
    const entry = /^ {2}(\S.*)$/.exec(line)?.[1];
    if (!entry) continue;
    if (section === 'Options') {
      const long = /--[\w-]+/.exec(entry)?.[0];
      if (long && long !== '--help') options.push(long);
    } else if (section === 'Commands') {
      const name = /^[a-z][\w-]*/.exec(entry)?.[0];
      if (name && name !== 'help') commands.push(name);
    }
  }
  return { options, commands };
}

interface Mention {
  flag: string;
  /** The words after `keywarden` when the flag is part of a command (a code line or span), else undefined. */
  words: string[] | undefined;
  /** In prose, the words just before the flag: "see lockdown --list" names lockdown's option. */
  before?: string[];
}

/** Inline code spans and code-block lines of one line: the places a command is written out. */
function codeParts(line: string, inFence: boolean): string[] {
  return inFence ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

function mentionsIn(text: string, words: string[] | undefined): Mention[] {
  return [...text.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => {
    if (words !== undefined) return { flag: m[0], words };
    const before = text
      .slice(0, m.index)
      .split(/[^a-z-]+/)
      .filter(Boolean)
      .slice(-3);
    return { flag: m[0], words, before };
  });
}

/** `### keywarden key add` sections of cli.md and the `--flags` each one names. */
function sections(markdown: string): Map<string, Mention[]> {
  const out = new Map<string, Mention[]>();
  let current: Mention[] | undefined;
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inFence = !inFence;
      continue;
    }
    const heading = inFence ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const command = /^### keywarden((?: [a-z][\w-]*)*)$/.exec(line);
      current = command ? [] : undefined;
      if (command) out.set((command[1] ?? '').trim(), current as Mention[]);
      continue;
    }
    if (!current) continue;
    let prose = line;
    for (const code of codeParts(line, inFence)) {
      prose = prose.replace(code, '');
      // Each `keywarden …` invocation in the code owns the flags up to the next one.
      const pieces = code.split(/(?=\bkeywarden )/);
      for (const piece of pieces) {
        const invoked = /^keywarden((?: [a-z][\w-]*)*)/.exec(piece);
        current.push(
          ...mentionsIn(piece, invoked ? (invoked[1] ?? '').trim().split(' ').filter(Boolean) : undefined),
        );
      }
    }
    current.push(...mentionsIn(prose, undefined));
  }
  return out;
}

const helps = new Map<string, Help>();

async function walk(path: string[]): Promise<void> {
  const { stdout } = await exec(process.execPath, [MAIN, ...path, '--help'], {
    env: { PATH: process.env.PATH },
  });
  const help = parseHelp(stdout);
  helps.set(path.join(' '), help);
  await Promise.all(help.commands.map((c) => walk([...path, c])));
}

/** The commands a user runs: leaves, and groups that take options of their own (`sandbox`). */
function runnable(): string[] {
  return [...helps.entries()]
    .filter(([name, h]) => name !== '' && (h.commands.length === 0 || h.options.length > 0))
    .map(([n]) => n);
}

function inherited(name: string): Set<string> {
  const parts = name.split(' ');
  const flags = new Set(['--help']);
  for (let i = 0; i <= parts.length; i++)
    for (const o of helps.get(parts.slice(0, i).join(' '))?.options ?? []) flags.add(o);
  return flags;
}

/** The command a mention belongs to: the longest known command it invokes, else its section's. */
function owner(section: string, mention: Mention): string {
  const words = mention.words ?? [];
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    if (helps.has(name)) return name;
  }
  const before = mention.before ?? [];
  for (let n = before.length; n > 0; n--) {
    const name = before.slice(-n).join(' ');
    if (helps.has(name) && runnable().includes(name)) return name;
  }
  return section;
}

describe('docs/cli.md matches `keywarden … --help`', () => {
  const doc = sections(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8'));
  const named = (command: string) =>
    new Set(
      [...doc.entries()].flatMap(([s, ms]) => ms.filter((m) => owner(s, m) === command).map((m) => m.flag)),
    );

  beforeAll(async () => {
    await walk([]);
  }, 120_000);

  it('has a section for every command, and none for a command that does not exist', () => {
    expect(runnable().length).toBeGreaterThan(30);
    expect([...doc.keys()].sort()).toEqual(runnable().sort());
  });

  it('names every option of each command in its section', () => {
    const missing = runnable().flatMap((name) =>
      (helps.get(name)?.options ?? []).filter((o) => !named(name).has(o)).map((o) => `${name} ${o}`),
    );
    expect(missing).toEqual([]);
  });

  it('names no option a command does not have', () => {
    const unknown = [...doc.entries()].flatMap(([section, mentions]) =>
      mentions
        .filter((m) => !inherited(owner(section, m)).has(m.flag))
        .map((m) => `${owner(section, m)} ${m.flag}`),
    );
    expect(unknown).toEqual([]);
  });

  it('reads options, subcommands and sections the way the CLI prints them', () => {
    const help = parseHelp(
      'Usage: x\n\nOptions:\n  -n, --lines <n>  number\n                   wrapped --not-an-option\n  -h, --help  help\n\nCommands:\n  tail [options]  newest\n  help [command]  help\n',
    );
    expect(help).toEqual({ options: ['--lines'], commands: ['tail'] });
    const md = sections(
      '## Audit\n\n### keywarden audit tail\n\n`--lines` and --follow; see `keywarden scan --git`.\n\n```sh\nkeywarden audit tail --json | keywarden scan -\n```\n\n## Other\n\n--json\n',
    );
    expect([...md.entries()]).toEqual([
      [
        'audit tail',
        [
          { flag: '--lines', words: undefined, before: [] },
          { flag: '--git', words: ['scan'] },
          { flag: '--follow', words: undefined, before: ['and'] },
          { flag: '--json', words: ['audit', 'tail'] },
        ],
      ],
    ]);
  });
});
