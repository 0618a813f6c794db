/** Every relative link in README.md, CONTRIBUTING.md and docs/*.md names a file (and heading) that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchors, links } from './markdown.js';

const ROOT = join(import.meta.dirname, '../..');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The broken links of one page: a missing file, or an anchor no heading of the target makes. */
function brokenLinks(page: string, markdown: string, root: string): string[] {
  const broken: string[] = [];
  for (const link of links(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
    const [path = '', anchor] = link.target.split('#', 2);
    const file = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
    const where = `${page}:${link.line} → ${link.target}`;
    if (!existsSync(file) || relative(root, file).startsWith('..')) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md')) continue;
    const target = path === '' ? markdown : readFileSync(file, 'utf8');
    if (!headingAnchors(target).has(anchor)) broken.push(`${where} (no such heading)`);
  }
  return broken;
}

describe('relative links in the docs', () => {
  it.each(PAGES)('%s: every relative link resolves', (page) => {
    expect(brokenLinks(page, readFileSync(join(ROOT, page), 'utf8'), ROOT)).toEqual([]);
  });

  it('reports a missing file, a missing heading and leaves URLs alone', () => {
    const md = [
      '[ok](docs/errors.md) [gone](docs/nope.md) [url](https://example.com/x.md)',
      '[anchor](#two-words) [bad anchor](docs/errors.md#no-such-heading)',
      '## Two words',
      '`[not a link](inline/code.md)`',
    ].join('\n');
    expect(brokenLinks('README.md', md, ROOT)).toEqual([
      'README.md:1 → docs/nope.md (no such file)',
      'README.md:2 → docs/errors.md#no-such-heading (no such heading)',
    ]);
  });
});
