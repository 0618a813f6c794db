/**
 * `EdgeRequest.session` (a logged-in WebSocket connection's client key) is set only by the
 * WebSocket edge: the HTTP edge never yields it, whatever headers or query a REST request sends.
 */
import { describe, expect, it } from 'vitest';
import { edgeRequest } from '../../../src/gateway/http-edge.js';

describe('EdgeRequest.session', () => {
  it('a REST request can never set it', () => {
    const edge = edgeRequest({
      requestId: 'r',
      method: 'POST',
      rawUrl: '/okx/api/v5/trade/order?session=kw_x',
      headers: { session: 'kw_x', 'x-keywarden-session': 'kw_x', 'content-type': 'application/json' },
      body: '{"session":"kw_x"}',
      peer: '127.0.0.1',
      local: '127.0.0.1',
    });
    expect(edge.session).toBeUndefined();
    expect(Object.keys(edge).sort()).toEqual([
      'body',
      'headers',
      'local',
      'method',
      'peer',
      'requestId',
      'target',
    ]);
  });
});
