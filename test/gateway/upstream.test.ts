import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUpstream } from '../../src/gateway/upstream.js';

const OPTS = { connections: 2, timeoutMs: 2000, keepAliveMs: 1000 };

describe('upstream', () => {
  it('refuses a non-loopback http:// base URL and accepts https and loopback http', () => {
    expect(() => createUpstream('http://api.binance.com', OPTS)).toThrow(/https/);
    expect(() => createUpstream('http://10.0.0.1:8788', OPTS)).toThrow(/https/);
    void createUpstream('https://api.binance.com', OPTS).close();
    void createUpstream('http://127.0.0.1:1/binance', OPTS).close();
  });

  it('sends under the base path only, drops hop-by-hop headers both ways, and keeps rate-limit headers', async () => {
    const seen: Array<{ url: string | undefined; headers: Record<string, unknown> }> = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-mbx-used-weight-1m': '7',
        'set-cookie': 'a=b',
        'keep-alive': 'timeout=5',
      });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const up = createUpstream(`http://127.0.0.1:${port}/binance`, OPTS);
    const r = await up.send({
      method: 'GET',
      path: '/api/v3/account',
      query: 'a=1',
      headers: { connection: 'upgrade', upgrade: 'h2c', 'x-keep': '1', 'proxy-authorization': 'x' },
      body: '',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-mbx-used-weight-1m']).toBe('7');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['keep-alive']).toBeUndefined();
    expect(seen[0]?.url).toBe('/binance/api/v3/account?a=1');
    expect(seen[0]?.headers.upgrade).toBeUndefined();
    expect(seen[0]?.headers['proxy-authorization']).toBeUndefined();
    expect(seen[0]?.headers['x-keep']).toBe('1');
    await expect(
      up.send({ method: 'GET', path: 'relative', query: '', headers: {}, body: '' }),
    ).rejects.toThrow();
    await up.close();
    server.close();
  });

  it('reports an unreachable exchange as upstream_failed', async () => {
    const up = createUpstream('http://127.0.0.1:1', OPTS);
    await expect(
      up.send({ method: 'GET', path: '/x', query: '', headers: {}, body: '' }),
    ).rejects.toMatchObject({
      code: 'upstream_failed',
    });
    await up.close();
  });
});
