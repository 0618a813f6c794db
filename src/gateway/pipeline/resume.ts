/**
 * The pipeline's internal resume entry: re-sign a request the pipeline already decided with the
 * exchange key's current record, for another upstream. The WebSocket edge calls it when it
 * re-opens a connection's upstream socket (a key rotation, an exchange's forced reconnect) to
 * give the new socket the login and subscriptions the client made on it; those frames passed
 * every stage (verified, client state, IP, rate, classify, policy) and were audited when the
 * client sent them. Nothing here authenticates a client or touches the replay cache: it is no
 * stage of `createPipeline` and takes a `Decided` state, which only the pipeline produces, so no
 * client frame (no `EdgeRequest`) can reach it. The signing is the sign stage's, unchanged.
 */
import type { Result } from '../../core/index.js';
import type { KeyRecord } from '../../keys/index.js';
import type { Upstream } from '../upstream.js';
import type { PipelineEnv } from './env.js';
import { sign } from './sign.js';
import type { Decided, Failure, Signed } from './types.js';

export type Resign = (
  decided: Decided,
  key: KeyRecord,
  upstream: Upstream,
  requestId: string,
) => Promise<Result<Signed, Failure>>;

export function createResign(env: Pick<PipelineEnv, 'keys' | 'clock' | 'onError'>): Resign {
  return (decided, key, upstream, requestId) => {
    // The usage was reserved (and settled) when the client sent it; a re-sign reserves nothing.
    const { reservation: _settled, ...rest } = decided;
    return sign(env, { ...rest, edge: { ...decided.edge, requestId }, key, upstream });
  };
}
