/**
 * A connection's send buffer is bounded: once a client stops reading and its queued bytes pass
 * MAX_SEND_BUFFER_BYTES, the next frame closes it with CLOSE_SLOW_CLIENT instead of queueing
 * more; a client that reads gets its frames (positive control).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { binance } from '../../../src/exchanges/binance/index.js';
import { serveSocket } from '../../../src/gateway/ws/ws-connection.js';
import { CLOSE_SLOW_CLIENT, MAX_SEND_BUFFER_BYTES } from '../../../src/gateway/ws/ws-limits.js';
import type { WsHooks } from '../../../src/gateway/ws/ws-types.js';

class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  send(text: string) {
    this.sent.push(text);
  }
  close(code: number) {
    this.closedWith = code;
  }
  terminate() {}
  ping() {}
}

function open(socket: FakeSocket) {
  const ws = binance.ws;
  if (!ws) throw new Error('binance has no ws');
  const hooks = {
    adapters: { binance },
    upstreams: {},
    audit: { append: async () => undefined },
    onError: () => undefined,
  } as unknown as WsHooks;
  return serveSocket(socket as unknown as WebSocket, {
    hooks,
    exchange: 'binance',
    adapter: binance,
    ws,
    path: '/ws-api/v3',
    peer: '127.0.0.1',
    local: '127.0.0.1',
    headers: {},
    metrics: { opened() {}, closed() {}, frame() {} },
    onClosed() {},
  });
}

describe('WebSocket send buffer', () => {
  it('a reading client gets its error frame with its id', () => {
    const s = new FakeSocket();
    open(s);
    s.emit('message', Buffer.from('{"id":5,"method":"order.place","params":[]}'), false);
    expect(s.closedWith).toBeUndefined();
    expect(JSON.parse(s.sent[0] ?? '{}')).toMatchObject({
      id: 5,
      status: 400,
      error: { code: expect.any(Number) },
    });
  });

  it('a client whose buffer is full is closed with the slow-client code, nothing more queued', () => {
    const s = new FakeSocket();
    open(s);
    s.bufferedAmount = MAX_SEND_BUFFER_BYTES;
    s.emit('message', Buffer.from('{"id":5,"method":"order.place","params":[]}'), false);
    expect(s.sent).toEqual([]);
    expect(s.closedWith).toBe(CLOSE_SLOW_CLIENT);
  });
});
