import type { CheckItem, CheckStatus, ClientPosture, Fix, PostureReport } from './posture-types.js';

/**
 * The posture report as text for a terminal, at most `width` columns except for commands, which
 * stay on one line so they can be copied as printed. Labels and names are operator input:
 * control and bidi characters are replaced so a crafted label cannot rewrite the terminal.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

const STATUS_LABEL: Record<CheckStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  unknown: 'UNKNOWN',
  not_applicable: 'N/A',
};

const STATUS_COL = 8;
const SEVERITY_COL = 9;
const DETAIL = 2 + STATUS_COL + SEVERITY_COL;

/** Greedy word wrap; a word longer than the line is split. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line = `${line} ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

function block(prefix: string, text: string, indent: number, width: number): string[] {
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(prefix.length);
  return wrap(terminalSafe(text), Math.max(20, width - indent - prefix.length)).map(
    (l, i) => `${pad}${i === 0 ? prefix : inner}${l}`,
  );
}

function fixLines(fix: Fix, width: number, prefix: string): string[] {
  const pad = ' '.repeat(DETAIL + 2);
  const out = block(prefix, fix.action, DETAIL, width);
  for (const c of fix.commands) out.push(`${pad}$ ${terminalSafe(c)}`);
  if (fix.alternative) out.push(...fixLines(fix.alternative, width, 'or: '));
  return out;
}

function checkLines(c: CheckItem, width: number): string[] {
  const head = `  ${STATUS_LABEL[c.status].padEnd(STATUS_COL)}${c.severity.padEnd(SEVERITY_COL)}`;
  if (c.status === 'pass' || c.status === 'not_applicable') {
    const lines = block('', `${c.title}: ${c.evidence}`, DETAIL, width);
    return [`${head}${(lines[0] ?? '').trimStart()}`, ...lines.slice(1)];
  }
  return [
    `${head}${terminalSafe(c.title)}`,
    ...block('', c.evidence, DETAIL, width),
    ...(c.fix ? fixLines(c.fix, width, 'fix: ') : []),
  ];
}

function heading(text: string, width: number, indent = 0): string[] {
  return block('', text, indent, width);
}

/** ` · third party VENDOR (purpose)` for a vendor's integration. */
export function vendorTag(c: ClientPosture): string {
  return c.thirdParty ? ` · third party ${c.thirdParty.vendor} (${c.thirdParty.purpose})` : '';
}

export function renderPostureTable(report: PostureReport, width = 100): string {
  const { counts } = report;
  const out: string[] = [
    ...heading(
      `keywarden posture: score ${report.score}/100 · ${counts.fail} fail · ${counts.unknown} unknown · ${counts.pass} pass · ${counts.notApplicable} n/a · ${report.generatedAt}`,
      width,
    ),
  ];
  if (report.keys.length === 0) out.push('', 'no active keys registered (keywarden key add …)');
  const shownClients = new Set<string>();
  for (const k of report.keys) {
    out.push(
      '',
      ...heading(`KEY ${k.label} · ${k.exchange} · ${k.environment} · ${k.id} · score ${k.score}/100`, width),
    );
    for (const c of k.checks) out.push(...checkLines(c, width));
    for (const cl of report.clients.filter((c) => c.keyId === k.id)) {
      shownClients.add(cl.id);
      out.push(
        '',
        ...heading(
          `CLIENT ${cl.name}${vendorTag(cl)} · ${cl.environment} · ${cl.status} · score ${cl.score}/100`,
          width,
          2,
        ),
      );
      for (const c of cl.checks) out.push(...checkLines(c, width));
    }
  }
  for (const cl of report.clients.filter((c) => !shownClients.has(c.id))) {
    out.push(
      '',
      ...heading(
        `CLIENT ${cl.name}${vendorTag(cl)} · key ${cl.key} (not active) · ${cl.environment} · ${cl.status} · score ${cl.score}/100`,
        width,
      ),
    );
    for (const c of cl.checks) out.push(...checkLines(c, width));
  }
  out.push('', ...heading(`GATEWAY · score ${report.gateway.score}/100`, width));
  for (const c of report.gateway.checks) out.push(...checkLines(c, width));
  if (report.repository) {
    out.push(
      '',
      ...heading(`REPOSITORY ${report.repository.path} · score ${report.repository.score}/100`, width),
    );
    for (const c of report.repository.checks) out.push(...checkLines(c, width));
  }
  return `${out.join('\n')}\n`;
}
