import { vendorTag } from './posture-table.js';
import type { CheckItem, CheckStatus, Fix, PostureReport } from './posture-types.js';

/**
 * The posture report as one self-contained HTML file: inline CSS, no script, no external asset,
 * so it can be mailed or archived as evidence and opened offline. Every value from the report is
 * escaped (labels and names are operator input), and a Content-Security-Policy that allows
 * nothing but the inline stylesheet backs that up.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STATUS_TEXT: Record<CheckStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  not_applicable: 'n/a',
};

const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--unknown:#9a6700;--na:#6e7781;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--code:#161b22}}
*{box-sizing:border-box}body{margin:0 auto;max-width:72rem;padding:2rem 1.5rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .5rem}
.meta{color:var(--muted)}.score{font-size:2.5rem;font-weight:700}.small{font-size:.9rem}
table{width:100%;border-collapse:collapse;margin:.25rem 0 1rem}th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-top:1px solid var(--line)}th{font-size:.85rem;color:var(--muted);font-weight:600}
.st{font-weight:700;text-transform:uppercase;font-size:.8rem;white-space:nowrap}.st-pass{color:var(--pass)}.st-fail{color:var(--fail)}.st-unknown{color:var(--unknown)}.st-not_applicable{color:var(--na)}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:var(--code);padding:.4rem .6rem;margin:.25rem 0;white-space:pre-wrap;word-break:break-all;border-radius:4px}
.fix{margin-top:.35rem}.counts span{margin-right:1rem}
`;

function fixHtml(fix: Fix, lead: string): string {
  const commands = fix.commands.map((c) => `<pre>${escapeHtml(c)}</pre>`).join('');
  const alt = fix.alternative ? fixHtml(fix.alternative, 'Or') : '';
  return `<div class="fix"><strong>${escapeHtml(lead)}:</strong> ${escapeHtml(fix.action)}${commands}</div>${alt}`;
}

function checksTable(checks: readonly CheckItem[]): string {
  const rows = checks
    .map(
      (c) =>
        `<tr><td class="st st-${escapeHtml(c.status)}">${escapeHtml(STATUS_TEXT[c.status])}</td>` +
        `<td>${escapeHtml(c.severity)}<br><span class="meta small">weight ${escapeHtml(c.weight)}</span></td>` +
        `<td><strong>${escapeHtml(c.title)}</strong> <code class="meta">${escapeHtml(c.id)}</code><br>${escapeHtml(c.evidence)}` +
        `${c.fix ? fixHtml(c.fix, 'Fix') : ''}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>Status</th><th>Severity</th><th>Check</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

export function renderPostureHtml(report: PostureReport): string {
  const { counts } = report;
  const parts: string[] = [];
  parts.push(
    `<h1>keywarden posture report</h1><p class="meta">Generated ${escapeHtml(report.generatedAt)}</p>`,
    `<p><span class="score">${escapeHtml(report.score)}/100</span></p>`,
    `<p class="counts"><span class="st-fail">${escapeHtml(counts.fail)} fail</span><span class="st-unknown">${escapeHtml(counts.unknown)} unknown</span><span class="st-pass">${escapeHtml(counts.pass)} pass</span><span class="st-not_applicable">${escapeHtml(counts.notApplicable)} not applicable</span></p>`,
    '<p class="meta small">The score is the weighted share of checks proven good (critical 10, high 6, medium 3, low 1); an unknown item earns half its weight, a not-applicable one none.</p>',
  );
  parts.push('<h2>Keys</h2>');
  if (report.keys.length === 0) parts.push('<p>No active keys registered.</p>');
  for (const k of report.keys) {
    parts.push(
      `<h3>${escapeHtml(k.label)} <span class="meta small">${escapeHtml(k.exchange)} · ${escapeHtml(k.environment)} · ${escapeHtml(k.id)} · score ${escapeHtml(k.score)}/100</span></h3>`,
      checksTable(k.checks),
    );
  }
  parts.push('<h2>Clients</h2>');
  if (report.clients.length === 0) parts.push('<p>No live clients.</p>');
  for (const c of report.clients) {
    parts.push(
      `<h3>${escapeHtml(c.name)} <span class="meta small">${escapeHtml(vendorTag(c).replace(/^ · /, ''))}${c.thirdParty ? ' · ' : ''}key ${escapeHtml(c.key)} · ${escapeHtml(c.environment)} · ${escapeHtml(c.status)} · score ${escapeHtml(c.score)}/100</span></h3>`,
      checksTable(c.checks),
    );
  }
  parts.push(
    `<h2>Gateway <span class="meta small">score ${escapeHtml(report.gateway.score)}/100</span></h2>`,
    checksTable(report.gateway.checks),
  );
  if (report.repository)
    parts.push(
      `<h2>Repository <span class="meta small">${escapeHtml(report.repository.path)} · score ${escapeHtml(report.repository.score)}/100</span></h2>`,
      checksTable(report.repository.checks),
    );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>keywarden posture: ${escapeHtml(report.score)}/100</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...parts,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
