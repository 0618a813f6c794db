/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the real
 * admin listener serving the built app (dist/web, `npm run build`), a real gateway over the
 * sandbox exchange, and a real CCXT bot: sign in with TOTP, issue a client (credential shown
 * once), the live feed shows the bot's requests, freeze the client and the bot is denied, a
 * lockdown with a fresh code and its preview, the audit chain verified, an auditor session with
 * no write controls, and an axe-core check of every page (no serious or critical violation).
 * Time to first render and the initial JavaScript (gzipped) are measured and printed; set
 * SCREENSHOTS_DIR to keep a screenshot of every page (scripts/screenshots.sh writes docs/screenshots).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminServer, adminRoutes, createAdminServer } from '../../src/admin/index.js';
import { adminServices } from '../../src/cli/admin-root.js';
import { LOCAL_ACTOR } from '../../src/core/index.js';
import { totpCode } from '../../src/operators/index.js';
import { type Harness, startHarness } from '../gateway/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_ROOT = join(ROOT, 'dist/web');
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'a long enough password';
const BUDGET_GZIP = 250 * 1024;
// A function, not a string: Playwright evals a string predicate inside the page, which the
// dashboard's CSP (script-src 'self', no unsafe-eval) refuses.
const NOT_BUSY = () =>
  !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
    '[aria-busy="true"]',
  );

let h: Harness;
let server: AdminServer;
let base: string;
let browser: Browser;
let profile: string;
let services: ReturnType<typeof adminServices>;
let offset = 0;
// The operators' clock runs ahead by one TOTP step per fresh code (each code is accepted once).
const clock = { now: () => Date.now() + offset };
const freshCode = (secret: string) => {
  offset += 30_000;
  return totpCode(secret, clock.now());
};
const shots = process.env.SCREENSHOTS_DIR;
const owner = { name: 'root', secret: '' };
const auditor = { name: 'aud', secret: '' };

async function call(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Enrol over the API (the enrolment itself is not a dashboard page): password, then TOTP. */
async function enrol(name: string, role: 'owner' | 'auditor'): Promise<string> {
  const { enrolmentCode } = await services.operators.add({ name, role }, LOCAL_ACTOR);
  const start = await call('/auth/enrol', { name, enrolmentCode, password: PASSWORD });
  const secret = String(start.totpSecret);
  await call('/auth/enrol/confirm', { name, enrolmentCode, code: freshCode(secret) });
  return secret;
}

async function signIn(page: Page, who: { name: string; secret: string }): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Operator name').fill(who.name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Authenticator code (TOTP)').fill(freshCode(who.secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

async function open(page: Page, link: string, heading = link): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** What the page says (a failed expectation shows it). */
const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';

interface Violation {
  id: string;
  impact: string | null;
  nodes: number;
}

async function axeCheck(page: Page, name: string): Promise<Violation[]> {
  // Evaluated, not a <script>: the dashboard's CSP allows no inline script.
  await page.evaluate(axe.source);
  // Browser-side code as text: the test's tsconfig has no DOM types.
  const found = (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  })()`)) as Violation[];
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The gzipped size of the JavaScript index.html loads before anything renders. */
function initialJs(): { files: string[]; gzip: number } {
  const html = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(WEB_ROOT, f))).length, 0);
  return { files, gzip };
}

beforeAll(async () => {
  if (!existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error('dist/web is missing: run `npm run build` (npm test runs it first)');
  h = await startHarness({ exchanges: ['binance'], monitor: {} });
  const monitor = h.monitor;
  if (!monitor) throw new Error('harness started without its monitor');
  services = adminServices({
    store: h.store,
    vault: h.vault,
    keys: h.keys,
    audit: h.audit,
    monitor,
    clock,
    gatewayUrl: h.url,
  });
  server = createAdminServer({ services, routes: adminRoutes(services), webRoot: WEB_ROOT });
  base = await server.listen(0, '127.0.0.1');
  owner.secret = await enrol(owner.name, 'owner');
  auditor.secret = await enrol(auditor.name, 'auditor');
  profile = mkdtempSync(join(tmpdir(), 'kw-chromium-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disk-cache-dir=${join(profile, 'cache')}`,
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the admin listener serves the dashboard', () => {
  it('answers index.html at / and at any page path, while /api stays the API (JSON 404)', async () => {
    const page = await fetch(`${base}/clients`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<div id="root">');
    const missing = await fetch(`${base}/api/v1/no-such-route`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('keeps the initial JavaScript under 250 KB gzipped', () => {
    const { files, gzip } = initialJs();
    expect(files.length).toBeGreaterThan(0);
    process.stdout.write(
      `dashboard initial JS: ${files.join(', ')}: ${(gzip / 1024).toFixed(1)} KB gzipped\n`,
    );
    expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP);
  });
});

describe('the dashboard in Chromium', () => {
  let ctx: BrowserContext;
  let page: Page;
  let credential: { apiKey: string; secret: string };
  const bot = () => h.ccxt('binance', credential);
  const problems: string[] = [];

  beforeAll(async () => {
    ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    // A script error or a CSP refusal anywhere in the run fails the last test of this block.
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
    });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('renders the sign-in page fast, and signs in with a TOTP code', async () => {
    await page.addInitScript({
      content: `new MutationObserver((_m, o) => {
        if (document.querySelector('#root form')) { window.__firstRender = performance.now(); o.disconnect(); }
      }).observe(document, { childList: true, subtree: true });`,
    });
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'keywarden' }).waitFor();
    const firstRender = (await page.evaluate('window.__firstRender ?? -1')) as number;
    const fcp = (await page.evaluate(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
    )) as number;
    process.stdout.write(
      `dashboard time to first render: sign-in form in the DOM at ${firstRender.toFixed(0)} ms, first contentful paint ${fcp.toFixed(0)} ms\n`,
    );
    expect(firstRender).toBeGreaterThan(0);
    expect(await axeCheck(page, 'sign-in')).toEqual([]);
    // A wrong code is refused and says so.
    await page.getByLabel('Operator name').fill(owner.name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Authenticator code (TOTP)').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/\S/);
    await signIn(page, owner);
    expect(await page.getByTestId('who').textContent()).toContain('root · owner');
  });

  it('issues a client: the credential is shown once with copy buttons and a ready CCXT snippet', async () => {
    await open(page, 'Clients');
    await page.getByLabel('Client name').fill('ui-bot');
    await page.getByRole('button', { name: 'Issue client' }).click();
    await page.getByRole('heading', { name: /Credential for ui-bot: shown once/ }).waitFor();
    credential = {
      apiKey: (await page.getByTestId('onetime-apiKey').textContent()) ?? '',
      secret: (await page.getByTestId('onetime-secret').textContent()) ?? '',
    };
    expect(credential.apiKey).toMatch(/^kw_/);
    await expect
      .poll(() => page.getByTestId('onetime-ccxt snippet').textContent())
      .toContain(credential.apiKey);
    const snippet = (await page.getByTestId('onetime-ccxt snippet').textContent()) ?? '';
    expect(snippet).toContain('new ccxt.binance(');
    expect(snippet).toContain(h.url);
    expect(await page.getByRole('button', { name: 'Copy secret' }).count()).toBe(1);
    // Once: hidden on request, and no later page load shows it again.
    await page.getByRole('button', { name: /I have stored it/ }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
    await page.locator('tr[data-client="ui-bot"]').waitFor();
    expect(await page.content()).not.toContain(credential.secret);
    expect(await axeCheck(page, 'clients')).toEqual([]);
  });

  it("the live feed shows the CCXT bot's requests as they happen", async () => {
    await open(page, 'Live feed');
    await expect.poll(() => page.getByTestId('feed-state').textContent()).toBe('live');
    const ex = await bot();
    const balance = await ex.fetchBalance();
    expect(balance.USDT).toBeDefined();
    const row = page.getByTestId('feed').locator('tbody tr', { hasText: 'ui-bot' }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-decision')).toBe('allow');
    expect(await axeCheck(page, 'feed')).toEqual([]);
  });

  it('freezing the client in the dashboard denies the bot, and the feed shows the denial', async () => {
    await open(page, 'Clients');
    const row = page.locator('tr[data-client="ui-bot"]');
    await row.getByRole('button', { name: 'Freeze' }).click();
    await expect.poll(() => row.getByTestId('client-status').textContent()).toBe('frozen');
    const ex = await bot();
    await expect(ex.fetchBalance()).rejects.toThrow(/frozen|denied/i);
    await open(page, 'Live feed');
    const denied = page.getByTestId('feed').locator('tbody tr[data-decision="deny"]', { hasText: 'ui-bot' });
    await denied.first().waitFor({ timeout: 10_000 });
    // Unfreeze for the lockdown that follows.
    await open(page, 'Clients');
    await row.getByRole('button', { name: 'Unfreeze' }).click();
    await expect.poll(() => row.getByTestId('client-status').textContent()).toBe('active');
    expect((await (await bot()).fetchBalance()).USDT).toBeDefined();
  });

  it('runs a lockdown: the confirm dialog previews the scope, a fresh code engages it, the bot is denied', async () => {
    await open(page, 'Lockdown');
    await page.getByRole('button', { name: 'Lock down…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('lockdown-preview').textContent()).toMatch(
      /every client.*1 active client.*ui-bot/s,
    );
    expect(await axeCheck(page, 'lockdown-confirm')).toEqual([]);
    await dialog.getByLabel('Fresh authenticator code').fill(freshCode(owner.secret));
    await dialog.getByRole('button', { name: 'Lock down now' }).click();
    await expect
      .poll(async () => (await page.getByTestId('lockdown-result').count()) || (await mainText(page)))
      .toBe(1);
    const live = await h.store.db
      .selectFrom('clients')
      .select('status')
      .where('name', '=', 'ui-bot')
      .executeTakeFirst();
    expect(live?.status).toBe('frozen');
    await expect((await bot()).fetchBalance()).rejects.toThrow(/frozen|denied/i);
    expect(await axeCheck(page, 'lockdown')).toEqual([]);
  });

  it('verifies the audit chain and shows its status', async () => {
    await open(page, 'Audit');
    await page.getByRole('button', { name: 'Verify the audit chain' }).click();
    await expect
      .poll(async () => (await page.getByTestId('chain-status').count()) || (await mainText(page)))
      .toBe(1);
    expect(await page.getByTestId('chain-status').textContent()).toMatch(/^Chain intact: \d+ records/);
    await page.getByLabel('decision').selectOption('deny');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('audit-results').locator('tbody tr').first().waitFor();
    expect(await axeCheck(page, 'audit')).toEqual([]);
  });

  it('every other page renders, passes axe, and a page whose route this server lacks says "not available"', async () => {
    await services.approvals.request({
      kind: 'withdrawal',
      summary: 'withdraw 0.1 BTC to bc1q-allowed for ui-bot',
      payload: {},
      requestedBy: { kind: 'client', id: 'cl_ui', name: 'ui-bot' },
    });
    for (const [link, name] of [
      ['Overview', 'overview'],
      ['Keys', 'keys'],
      ['Alerts', 'alerts'],
      ['Posture', 'posture'],
      ['Approvals', 'approvals'],
      ['Operators', 'operators'],
    ] as const) {
      await open(page, link);
      await page.waitForFunction(NOT_BUSY);
      if (link === 'Overview') await page.locator('canvas').first().waitFor();
      expect([name, await axeCheck(page, name)]).toEqual([name, []]);
    }
    const posture = await (await fetch(`${base}/api/v1/posture`)).status;
    if (posture === 404) {
      await open(page, 'Posture');
      expect(await page.getByRole('status').first().textContent()).toMatch(/not available/);
    }
    const secretShown = await page.content();
    expect(secretShown).not.toContain(credential.secret);
    expect(problems).toEqual([]);
  });

  it('an auditor session shows no write controls, and the pages it lacks are not listed', async () => {
    const actx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const ap = await actx.newPage();
    ap.setDefaultTimeout(10_000);
    // An open alert, so the Alerts page has a row an operator could acknowledge.
    await h.audit.append({
      kind: 'alert',
      rule: 'test.open',
      message: 'an open alert for the auditor check',
    });
    try {
      await signIn(ap, auditor);
      const links = await ap.getByRole('navigation').getByRole('link').allTextContents();
      expect(links).toEqual(['Overview', 'Live feed', 'Alerts', 'Audit', 'Posture']);
      const write =
        /Freeze|Unfreeze|Revoke|Issue|Retire|Rotate|Lock down|Unlock|Approve|Reject|Acknowledge|Add operator|Disable|Save/;
      for (const link of links) {
        await open(ap, link);
        await ap.waitForFunction(NOT_BUSY);
        if (link === 'Alerts') await ap.getByRole('cell', { name: 'test.open' }).first().waitFor();
        const buttons = await ap.getByRole('button').allTextContents();
        expect([link, buttons.filter((b) => write.test(b))]).toEqual([link, []]);
        expect([link, await axeCheck(ap, `auditor-${link.toLowerCase().replace(' ', '-')}`)]).toEqual([
          link,
          [],
        ]);
      }
      // A typed URL of an unlisted page shows the first allowed page instead.
      await ap.goto(`${base}/clients`);
      await ap.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      // And the API refuses anyway.
      const refused = await ap.evaluate("fetch('/api/v1/clients').then((r) => r.status)");
      expect(refused).toBe(403);
    } finally {
      await actx.close();
    }
  });
});
