/**
 * What the docs tests read out of Markdown: fenced blocks with the HTML-comment marker before
 * them, the command lines of a checked block, relative links and heading anchors.
 *
 * The convention (docs/README.md, "Checked examples"):
 * - `<!-- check -->` on the line before a fenced block: every command line in it is run, in page
 *   order, in one fresh directory per page; it must exit 0 unless its comment says `# exit N`.
 *   `<!-- check: "text" 'more' -->` also requires each quoted text in the block's output.
 * - `<!-- file: NAME -->` before a fenced block writes its content to NAME in that directory.
 */

export interface FencedBlock {
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  content: string;
  /** The HTML comment on the line before the fence (blank lines aside), if any. */
  marker: string | undefined;
}

export type Step =
  | { kind: 'run'; line: number; commands: Command[]; expect: string[] }
  | { kind: 'file'; line: number; name: string; content: string };

export interface Command {
  line: number;
  text: string;
  exitCode: number;
}

export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (!open) {
      const comment = /^\s*<!--(.*)-->\s*$/.exec(line);
      if (comment) marker = (comment[1] as string).trim();
      else if (line.trim() !== '') marker = undefined;
      continue;
    }
    const fence = open[2] as string;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).trim().startsWith(fence))
      body.push(lines[j++] as string);
    blocks.push({ line: i + 1, info: (open[3] as string).trim(), content: body.join('\n'), marker });
    marker = undefined;
    i = j;
  }
  return blocks;
}

/** The shell command lines of a block: `\` continuations joined, blank and comment-only lines left out. */
export function commandLines(block: FencedBlock): Command[] {
  const out: Command[] = [];
  const lines = block.content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let text = lines[i] as string;
    while (text.endsWith('\\') && i + 1 < lines.length)
      text = `${text.slice(0, -1)} ${(lines[++i] as string).trim()}`;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const exit = /\s#\s*exit (\d+)\b/.exec(trimmed);
    out.push({ line: block.line + 1 + first, text: trimmed, exitCode: exit ? Number(exit[1]) : 0 });
  }
  return out;
}

/** The checked steps of a page, in order; a malformed marker is an error, not a silently skipped block. */
export function checkedSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of fencedBlocks(markdown)) {
    const marker = block.marker;
    if (marker === undefined) continue;
    const check = /^check(?::(.*))?$/.exec(marker);
    const file = /^file:\s*(\S+)$/.exec(marker);
    if (check) {
      const expect = [...(check[1] ?? '').matchAll(/"([^"]+)"|'([^']+)'/g)].map(
        (m) => (m[1] ?? m[2]) as string,
      );
      const commands = commandLines(block);
      if (commands.length === 0) throw new Error(`line ${block.line}: a checked block without a command`);
      steps.push({ kind: 'run', line: block.line, commands, expect });
    } else if (file) {
      steps.push({ kind: 'file', line: block.line, name: file[1] as string, content: `${block.content}\n` });
    } else if (/^(check|file)\b/.test(marker)) {
      throw new Error(`line ${block.line}: malformed marker <!-- ${marker} -->`);
    }
  }
  return steps;
}

export interface Link {
  line: number;
  target: string;
}

/** Markdown links `[text](target)` outside fenced blocks and inline code. */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  let inFence = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g))
      out.push({ line: i + 1, target: m[1] as string });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
