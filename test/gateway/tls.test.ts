/**
 * HTTPS from certificate files and the optional client-certificate (mTLS) requirement.
 * Certificates are generated at run time with the openssl CLI into a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-tls-'));
const f = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

function makeCerts(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=keywarden test CA',
  );
  const leaf = (name: string, cn: string) => {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  execFileSync('sh', [
    '-c',
    `printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > ${f('server.ext')}`,
  ]);
  execFileSync('sh', ['-c', `printf 'extendedKeyUsage=clientAuth\\n' > ${f('client.ext')}`]);
  leaf('server', '127.0.0.1');
  leaf('client', 'bot');
}

let h: Harness;
beforeAll(async () => {
  makeCerts();
  h = await startHarness({
    exchanges: ['binance'],
    config: {
      server: {
        tls: { cert: f('server.pem'), key: f('server.key'), ca: f('ca.pem'), requireClientCert: true },
      },
    },
  });
});
afterAll(() => h.close());

describe('HTTPS with client certificates', () => {
  it('serves https and accepts a client presenting a certificate from the configured CA', async () => {
    expect(h.url).toMatch(/^https:/);
    const { token } = await h.issue('binance', 'tls-bot');
    const agent = new Agent({
      connect: {
        ca: readFileSync(f('ca.pem')),
        cert: readFileSync(f('client.pem')),
        key: readFileSync(f('client.key')),
      },
    });
    const r = await request(`${h.url}/binance/api/v3/account`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.statusCode).toBe(200);
    await r.body.text();
    await agent.close();
  });

  it('refuses the TLS handshake without a client certificate', async () => {
    const before = h.sandbox.log.length;
    const agent = new Agent({ connect: { ca: readFileSync(f('ca.pem')) } });
    await expect(
      request(`${h.url}/binance/api/v3/account`, { dispatcher: agent }).then((r) => r.body.text()),
    ).rejects.toThrow();
    await agent.close();
    expect(h.sandbox.log.length).toBe(before);
  });
});
