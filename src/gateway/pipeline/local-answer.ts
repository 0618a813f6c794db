/**
 * Stage (for the few requests an adapter answers itself, `ExchangeAdapter.answerLocally`): after
 * the policy allowed it and the decision record is committed, the adapter's own answer goes back
 * instead of a signed request to the exchange. Kraken's `GetWebSocketsToken` is one: the real
 * token would let the bot trade over WebSocket around keywarden. The outcome is `forwarded` with
 * the stripped request as its unsent `outgoing` and a latency of 0 (nothing reached the exchange).
 */
import { Readable } from 'node:stream';
import { publicRequest } from '../../core/index.js';
import { advance } from './advance.js';
import type { PipelineEnv } from './env.js';
import type { Decided, Outcome } from './types.js';

export function answerLocally(env: Pick<PipelineEnv, 'clock'>, d: Decided): Outcome | undefined {
  const { adapter, caller } = d;
  if (!adapter.answerLocally || caller.kind !== 'client') return undefined;
  const answer = adapter.answerLocally(d.request.raw, caller.hit.credential.verifier, { clock: env.clock });
  if (!answer) return undefined;
  return {
    kind: 'forwarded',
    requestId: d.edge.requestId,
    adapter,
    at: advance(d, { outgoing: publicRequest(adapter.stripAuth(d.request)) }),
    answer: {
      status: answer.status,
      headers: { ...answer.headers },
      body: Readable.from([answer.body]),
      latencyMs: 0,
    },
  };
}
