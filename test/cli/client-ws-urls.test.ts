/** `client add --json` prints the CCXT `urls` override with the WebSocket URLs of the gateway (ws:// or wss://). */
import { describe, expect, it } from 'vitest';
import { botConfig } from '../../src/cli/client.js';

const credential = { apiKey: 'kw_x', secret: 's' };

describe('the printed CCXT urls', () => {
  it('point CCXT Pro kraken privateV2 at /kraken/v2 and leave its public streams at Kraken', () => {
    const c = botConfig('kraken', credential, 'kw_t', 'http://127.0.0.1:8787/') as {
      urls: { api: { ws: Record<string, string> } };
    };
    expect(c.urls.api.ws).toEqual({ privateV2: 'ws://127.0.0.1:8787/kraken/v2' });
  });

  it('point CCXT Pro coinbase at /coinbase/ws-user, wss:// behind TLS', () => {
    const c = botConfig('coinbase', credential, 'kw_t', 'https://gw.example:8787') as {
      urls: { api: { rest: string; ws: string } };
    };
    expect(c.urls.api).toEqual({
      rest: 'https://gw.example:8787/coinbase',
      ws: 'wss://gw.example:8787/coinbase/ws-user',
    });
  });
});
