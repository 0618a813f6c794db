import { describe, expect, it } from 'vitest';
import {
  buildPostureReport,
  escapeHtml,
  renderPostureHtml,
  renderPostureTable,
  terminalSafe,
  wrap,
} from '../../src/posture/index.js';
import { check, client, DAY, input, introspection, key, NOW } from './posture-fixtures.js';

/** A report with failures of every kind, long evidence and hostile labels. */
function messyReport() {
  const evil = key({ label: '<script>alert(1)</script>', fingerprint: 'e' });
  const overdue = key({ label: 'old-prod-key', createdAt: NOW - 200 * DAY, fingerprint: 'o' });
  const ansi = key({ label: 'ansi\u001b[2Jlabel\u202e', fingerprint: 'a' });
  return buildPostureReport(
    input({
      keys: [evil, overdue, ansi],
      clients: [
        client({ keyId: evil.id, name: 'bot-evil', ipAllow: [] }),
        client({ keyId: overdue.id, name: 'qa', environment: 'test' }),
      ],
      checks: new Map([
        [evil.id, check(evil, introspection({ canWithdraw: true, canTransfer: true, ipRestricted: false }))],
        [overdue.id, check(overdue, { available: false, reason: 'x'.repeat(300) })],
      ]),
      gateway: { listen: '0.0.0.0:8787', tls: false },
      monitor: { enabled: true, sinks: [] },
    }),
  );
}

describe('posture table', () => {
  it('fits 100 columns, except command lines which stay whole for copying', () => {
    const text = renderPostureTable(messyReport());
    const long = text.split('\n').filter((l) => l.length > 100);
    for (const l of long) expect(l.trimStart()).toMatch(/^\$ keywarden /);
    expect(text).toContain('FAIL');
    expect(text).toContain('$ keywarden key rotate old-prod-key --stdin');
    expect(text).toContain('Binance → API Management → Edit restrictions → uncheck "Enable');
    expect(text).toMatch(/^keywarden posture: score \d+\/100/);
  });

  it('keeps control and bidi characters from labels off the terminal', () => {
    const text = renderPostureTable(messyReport());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking their absence
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toContain('ansi?[2Jlabel?');
    expect(terminalSafe('a\u0007b\rc')).toBe('a?b?c');
  });

  it('wraps on spaces and splits only words longer than a line', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 10)).toEqual(['']);
  });
});

describe('posture HTML', () => {
  const html = renderPostureHtml(messyReport());

  it('is one standalone document: inline CSS, no script, no external reference', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|@import|url\(/i);
    expect(html).toContain('<style>');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('escapes every label, so a `<script>` label stays text', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });

  it('contains the score, the findings and their fixes', () => {
    const report = messyReport();
    expect(html).toContain(`${report.score}/100`);
    expect(html).toContain('key.withdraw_disabled');
    expect(html).toContain('withdrawals ENABLED on Binance');
    expect(html).toContain('keywarden key rotate old-prod-key --stdin');
    expect(html).toContain('plain HTTP on 0.0.0.0:8787');
    expect(html).toContain('st-fail');
  });
});

describe('posture: third-party and repository sections', () => {
  const report = buildPostureReport(
    input({
      clients: [
        client({
          name: 'vendor-bot',
          thirdParty: {
            vendor: '<img src=x onerror=alert(1)>',
            purpose: 'tax',
            contact: 'sec@x.example',
            reviewBy: '2025-01-01',
          },
        }),
      ],
      repository: {
        root: '/srv/<bot>',
        findings: [
          {
            check: 'env-tracked',
            severity: 'critical',
            file: 'config/.env\u001b[2J',
            message: 'tracked',
            fix: { action: 'stop tracking it', commands: ['git rm --cached config/.env'] },
          },
        ],
      },
    }),
  );

  it('names the vendor and the repository, escaped in HTML and made terminal-safe in the table', () => {
    const html = renderPostureHtml(report);
    expect(html).toContain('third party &lt;img src=x onerror=alert(1)&gt; (tax)');
    expect(html).toContain('<h2>Repository <span class="meta small">/srv/&lt;bot&gt;');
    expect(html).not.toContain('<img');
    const table = renderPostureTable(report);
    expect(table).toContain('CLIENT vendor-bot · third party <img src=x onerror=alert(1)> (tax)');
    expect(table).toContain('REPOSITORY /srv/<bot> · score');
    expect(table).toContain('$ git rm --cached config/.env');
    expect(table).not.toContain('\u001b');
  });
});
