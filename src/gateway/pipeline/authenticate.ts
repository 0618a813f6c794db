/**
 * Stage: who sent the request. A keywarden bearer token (looked up by its SHA-256), or the
 * exchange's own key header/param verified with the exchange's algorithm in constant time, then
 * the replay cache; with neither, only a public endpoint through the anonymous relay (when the
 * listener allows it, within its weight budget). A frame of a logged-in WebSocket connection
 * (`edge.session`, set only by the WebSocket edge) is its client's without a signature of its
 * own: its login was verified and replay-checked; the revocation, lookup and exchange checks
 * still run.
 */

import { hashToken } from '../../clients/index.js';
import { type ErrorCode, fail, ok, type Result, safeEqual } from '../../core/index.js';
import type { NonceLedger, VerifyFailure } from '../../exchanges/index.js';
import { isLoopback } from '../ip.js';
import { advance } from './advance.js';
import type { PipelineEnv } from './env.js';
import { limitDenial } from './rate-limit.js';
import type { Authenticated, Denial, Parsed } from './types.js';

/** Replay window when an adapter names a replay key but no window (the largest freshness window of the five). */
const REPLAY_WINDOW_MS = 120_000;

const VERIFY_CODES: Record<VerifyFailure, ErrorCode> = {
  missing_credentials: 'auth_missing',
  bad_signature: 'auth_bad_signature',
  bad_passphrase: 'auth_bad_signature',
  stale_timestamp: 'auth_stale',
  nonce_reused: 'auth_stale',
  malformed: 'bad_request',
};

type AuthEnv = Pick<
  PipelineEnv,
  'config' | 'clients' | 'keys' | 'limiter' | 'clock' | 'clientNonces' | 'replays' | 'sharedClientNonces'
>;

export async function authenticate(env: AuthEnv, p: Parsed): Promise<Result<Authenticated, Denial>> {
  const { adapter, exchange } = p;
  const { request } = p;
  const raw = request.raw;
  const lookup = await env.clients.current();
  // A key rotation bumps the client-state counter too: re-read key records (version) at once.
  env.keys.follow(lookup);
  const session = p.edge.session;
  const authz = raw.headers.authorization;
  if (session === undefined && authz !== undefined && /^Bearer kw_/i.test(authz)) {
    const hash = hashToken(authz.slice(7).trim());
    if (lookup.isRevokedToken(hash))
      return fail({ code: 'client_revoked', message: 'client credential revoked' });
    const hit = lookup.byTokenHash(hash);
    if (!hit || !safeEqual(hash, hit.credential.tokenHash) || hit.client.record.exchange !== exchange)
      return fail({ code: 'auth_unknown_key', message: 'unknown bearer token' });
    return ok(advance(p, { caller: { kind: 'client' as const, hit } }));
  }
  const keyId = session ?? adapter.clientKeyId(request);
  if (keyId === undefined) {
    const classification = adapter.classify(request);
    const learned = { classification };
    if (classification.action !== 'public' || !anonymousAllowed(env, p))
      return fail({
        code: 'auth_missing',
        message: 'this endpoint needs a keywarden client credential',
        learned,
      });
    if (classification.rejected !== undefined)
      return fail({ code: 'request_rejected', message: classification.rejected, learned });
    const budget = env.config.server.anonymousPublicWeightPerMinute;
    const weight = Math.max(1, adapter.publicWeight?.(request) ?? 1);
    const taken = await env.limiter.take(`anon:${exchange}`, budget / 60, budget, weight);
    if (taken !== 'admitted')
      return fail({
        ...limitDenial(
          taken,
          `the anonymous public relay spent its ${budget} weight per minute for ${exchange}; use a client credential`,
        ),
        learned,
      });
    return ok(advance(p, { caller: { kind: 'anonymous' as const, classification } }));
  }
  if (lookup.isRevokedKey(keyId))
    return fail({ code: 'client_revoked', message: 'client credential revoked' });
  const hit = lookup.byApiKey(keyId);
  if (!hit || hit.client.record.exchange !== exchange)
    return fail({ code: 'auth_unknown_key', message: 'unknown client api key' });
  // A frame of a logged-in WebSocket connection: its login was verified (and replay-checked).
  if (session !== undefined) return ok(advance(p, { caller: { kind: 'client' as const, hit } }));
  const verify = (nonces: NonceLedger) =>
    adapter.verifyClient(request, hit.credential.verifier, {
      clock: env.clock,
      nonces,
      origin: { host: p.host, prefix: `/${exchange}` },
    });
  // Several gateways (PostgreSQL): the adapter's nonce check is answered "yes" and noted, and the
  // shared ledger decides once the signature verified (only an authentic request advances it).
  const shared = env.sharedClientNonces;
  let claim: { apiKey: string; nonce: bigint } | undefined;
  let verified = verify(
    shared
      ? {
          accept(apiKey, nonce) {
            claim = { apiKey, nonce };
            return true;
          },
        }
      : env.clientNonces,
  );
  if (verified.ok && shared && claim && !(await shared.accept(claim.apiKey, claim.nonce)))
    // Verified again against a ledger that refuses: the adapter's own refusal, in the exchange's words.
    verified = verify({ accept: () => false });
  // A failed verification is recorded against the client it claimed to be.
  if (!verified.ok)
    return fail({ code: VERIFY_CODES[verified.reason], message: verified.message, learned: { hit } });
  if (
    verified.replayKey !== undefined &&
    !(await notReplayed(
      env,
      hit.client.record.id,
      p.sourceIp,
      verified.replayKey,
      verified.replayWindowMs ?? REPLAY_WINDOW_MS,
      verified.replayPaths,
    ))
  )
    return fail({
      code: 'auth_replayed',
      message: 'this signed request was already used: sign every request afresh',
      learned: { hit },
    });
  return ok(advance(p, { caller: { kind: 'client' as const, hit } }));
}

/**
 * The replay check. Plain: the key once per window. Per path (`replayPaths`): once per path, and
 * every use after the first from the first's source IP. The first use records its IP under each
 * other path's key (`<key> <path> from <ip>`); a later use on a path is let through only when
 * recording its own IP there finds it already recorded. Each path's own key is taken before that
 * check, so an attempt from elsewhere spends the path it tried and cannot seed a later one.
 */
async function notReplayed(
  env: Pick<PipelineEnv, 'replays'>,
  clientId: string,
  sourceIp: string,
  key: string,
  windowMs: number,
  paths: { path: string; all: readonly string[] } | undefined,
): Promise<boolean> {
  if (!paths) return env.replays.accept(clientId, key, windowMs);
  if (!(await env.replays.accept(clientId, `${key} ${paths.path}`, windowMs))) return false;
  if (await env.replays.accept(clientId, key, windowMs)) {
    for (const other of paths.all)
      if (other !== paths.path)
        await env.replays.accept(clientId, `${key} ${other} from ${sourceIp}`, windowMs);
    return true;
  }
  return !(await env.replays.accept(clientId, `${key} ${paths.path} from ${sourceIp}`, windowMs));
}

function anonymousAllowed(env: Pick<PipelineEnv, 'config'>, p: Parsed): boolean {
  const configured = env.config.server.allowAnonymousPublic;
  const local = p.edge.local;
  return configured ?? (local !== undefined && isLoopback(local));
}
