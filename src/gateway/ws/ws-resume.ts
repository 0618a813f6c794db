/**
 * A connection's upstream that outlives its socket. The client's login and subscriptions are
 * state of the upstream socket (OKX and Bybit log a connection in once, Binance's user data
 * stream and every Kraken or Coinbase subscription belong to the socket that made them), so when
 * that socket can no longer serve the client it is replaced, not the client's:
 *
 * - the exchange key behind the client is rotated (its record's version moves; the lifecycle
 *   poll tells `review`, and each send checks it first): the socket is logged in with a key that
 *   is no longer the current one;
 * - the exchange closes it (Binance's 24 h limit and its `serverShutdown` notice, a lost link).
 *
 * Resuming opens a new upstream socket and gives it again, in order, every request that set up
 * its state (the adapter's `sessionState`: the login, (un)subscriptions), re-signed by the
 * pipeline's resume entry (pipeline/resume.ts: the sign stage with the key's current record),
 * then swaps it in and closes the old one. Those requests were verified, policy-checked and
 * audited when the client sent them; the resume itself is audited (`ws-resume`) before anything
 * is sent. Orders are never sent again: a request in flight when the socket dropped fails with
 * the exchange's error shape, and requests that arrive while resuming wait for the new socket.
 * A resume that cannot be done (three attempts with back-off, the key retired, too much state,
 * the record not written) closes the client with CLOSE_UPSTREAM_GONE: the client reconnects,
 * and nothing is ever served on a key that is no longer current.
 */
import { randomUUID } from 'node:crypto';
import { type ExchangeId, KeywardenError, type OutgoingRequest } from '../../core/index.js';
import type { WsAdapter } from '../../exchanges/index.js';
import type { KeyRecord } from '../../keys/index.js';
import type { ClientLookup } from '../client-cache.js';
import type { Decided, Outcome } from '../pipeline/index.js';
import type { StreamedResponse, Upstream } from '../upstream.js';
import { CLOSE_POLICY, CLOSE_UPSTREAM_GONE, UPSTREAM_TIMEOUT_MS } from './ws-limits.js';
import type { WsHooks } from './ws-types.js';
import { createWsUpstream, type WsUpstream } from './ws-upstream.js';

/** Attempts at re-opening before the client is closed (CLOSE_UPSTREAM_GONE). */
export const RESUME_ATTEMPTS = 3;
/** Wait before the second attempt; doubled before each later one (250 ms, 500 ms). */
export const RESUME_BACKOFF_MS = 250;
/** Login and subscription requests kept per connection; a connection with more is closed instead of resumed. */
export const MAX_SESSION_STATE = 64;

export type ResumeReason = 'key_rotated' | 'upstream_gone' | 'exchange_shutdown';

export interface ResumableUpstream {
  /** What the connection's pipeline forwards over: the current upstream socket (waits while resuming). */
  readonly upstream: Upstream;
  /** Every outcome of the connection's pipeline: a login or subscription the exchange accepted is kept. */
  settle(outcome: Outcome): void;
  /** The client state was re-read (lifecycle poll): resume when the key behind the connection moved. */
  review(lookup: ClientLookup): void;
  /** How many times the upstream was re-opened. */
  readonly resumes: number;
  close(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
const messageOf = (err: unknown) => (err instanceof Error ? err.message : 'unknown error').slice(0, 200);

export function createResumableUpstream(o: {
  hooks: WsHooks;
  exchange: ExchangeId;
  ws: WsAdapter;
  path: string;
  url: string;
  rest: Upstream;
  connectionId: string;
  peer: string;
  clientId(): string | undefined;
  onEvent(text: string): void;
  /** It could not be resumed: close the client with this code and reason. */
  onFailed(code: number, reason: string): void;
}): ResumableUpstream {
  const { hooks, ws } = o;
  /** The requests that set up the current socket's state, in the order the exchange accepted them. */
  const state: Decided[] = [];
  let overflow = false;
  /**
   * The oldest key version the current socket has carried. A frame signed with the new version
   * does not log an OKX socket in again: only a resume moves this forward.
   */
  let signedWith: KeyRecord | undefined;
  /** Requests sent on the current socket whose outcome the connection has not settled yet. */
  const sent = new Set<OutgoingRequest>();
  let drainedNow: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  let replaying: WsUpstream | undefined;
  let failed = false;
  let closed = false;
  let checking = false;
  let resumes = 0;

  function open(): WsUpstream {
    const u: WsUpstream = createWsUpstream({
      url: o.url,
      rest: o.rest,
      ws,
      onEvent(text) {
        if (ws.shutdownNotice?.(text)) {
          if (u === current) resume('exchange_shutdown');
          return;
        }
        o.onEvent(text);
      },
      // A socket being replaced, or a new one not yet swapped in, is no loss of the current one.
      onGone: () => {
        if (u === current) resume('upstream_gone');
      },
    });
    return u;
  }
  let current = open();

  function fail(code: number, reason: string): void {
    if (failed || closed) return;
    failed = true;
    o.onFailed(code, reason);
  }

  const record = (requestId: string, action: string, message: string, detail: Record<string, unknown>) => {
    const clientId = o.clientId();
    return hooks.audit.append({
      kind: 'request',
      requestId,
      exchange: o.exchange,
      endpoint: `WS ${o.path}`,
      action,
      sourceIp: o.peer,
      ...(clientId ? { clientId } : {}),
      message,
      detail,
    });
  };

  /** Requests already sent finish (or fail) on the socket they went on, bounded by their own timeout. */
  function drained(): Promise<void> {
    if (sent.size === 0) return Promise.resolve();
    return Promise.race([
      new Promise<void>((resolve) => {
        drainedNow = resolve;
      }),
      sleep(UPSTREAM_TIMEOUT_MS + 1_000),
    ]).finally(() => {
      drainedNow = undefined;
    });
  }
  const unsent = (r: OutgoingRequest) => {
    if (sent.delete(r) && sent.size === 0) drainedNow?.();
  };

  function resume(reason: ResumeReason): void {
    if (closed || failed || gate) return;
    let release!: () => void;
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    run(reason)
      .catch((err: unknown) => {
        hooks.onError(o.connectionId, err);
        fail(CLOSE_UPSTREAM_GONE, 'keywarden: the exchange WebSocket could not be re-opened; reconnect');
      })
      .finally(() => {
        gate = undefined;
        release();
      });
  }

  async function run(reason: ResumeReason): Promise<void> {
    await drained();
    if (closed) return;
    const was = signedWith;
    if (was === undefined) {
      // Nothing was signed on it: the next request opens a socket with the key as it is then.
      const old = current;
      current = open();
      void old.close();
      return;
    }
    if (!ws.sessionState || overflow) {
      fail(CLOSE_UPSTREAM_GONE, 'keywarden: this connection cannot be re-opened; reconnect');
      return;
    }
    let lastError = '';
    for (let attempt = 1; attempt <= RESUME_ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(RESUME_BACKOFF_MS * 2 ** (attempt - 2));
      if (closed) return;
      const key = await hooks.resume.key(was.id, await hooks.clients.current());
      if (key?.status !== 'active') {
        fail(CLOSE_POLICY, 'keywarden: the exchange key behind this client is retired');
        return;
      }
      const requestId = `rsm_${randomUUID().replaceAll('-', '')}`;
      const detail = {
        reason,
        attempt,
        keyVersion: key.version,
        previousKeyVersion: was.version,
        requests: state.length,
        connection: o.connectionId,
      };
      // Recorded before anything is sent, as every forwarded request is: no record, no resume.
      await record(requestId, 'ws-resume', `WebSocket upstream re-opened (${reason})`, detail);
      try {
        const next = await relogin(key, requestId);
        if (closed) {
          void next.close();
          return;
        }
        const old = current;
        current = next;
        signedWith = key;
        resumes++;
        void old.close();
        return;
      } catch (err) {
        lastError = messageOf(err);
        await record(requestId, 'ws-resume-failed', 'WebSocket upstream could not be re-opened', {
          ...detail,
          error: lastError,
        }).catch((e: unknown) => hooks.onError(requestId, e));
      }
    }
    hooks.onError(o.connectionId, new KeywardenError('upstream_failed', `resume failed: ${lastError}`));
    fail(CLOSE_UPSTREAM_GONE, 'keywarden: the exchange WebSocket could not be re-opened; reconnect');
  }

  /** A new socket with the connection's state given again, re-signed with `key`. */
  async function relogin(key: KeyRecord, requestId: string): Promise<WsUpstream> {
    const next = open();
    replaying = next;
    try {
      for (const d of state) {
        const signed = await hooks.resume.resign(d, key, next, requestId);
        if (!signed.ok) throw new KeywardenError(signed.error.code, signed.error.message);
        let answer: StreamedResponse;
        try {
          answer = await next.stream(signed.value.outgoing);
        } finally {
          signed.value.nonceLease?.release();
        }
        // The client had its answer when it sent the request: this one is not relayed.
        answer.body.resume();
        if (answer.status >= 400)
          throw new KeywardenError(
            'upstream_failed',
            `the exchange refused ${d.intent.intent.endpoint} again (${answer.status})`,
          );
        if (closed) throw new KeywardenError('upstream_failed', 'the connection closed');
      }
      return next;
    } catch (err) {
      void next.close();
      throw err;
    } finally {
      replaying = undefined;
    }
  }

  /** The key behind the current socket has a newer version (and the socket holds state of the old one). */
  async function keyMoved(): Promise<boolean> {
    const was = signedWith;
    if (!was || failed || closed || (!current.open && state.length === 0)) return false;
    const key = await hooks.resume.key(was.id, await hooks.clients.current());
    return key?.status === 'active' && key.version !== was.version && signedWith === was;
  }

  const upstream: Upstream = {
    baseUrl: o.rest.baseUrl,
    async stream(request) {
      while (gate) await gate;
      // A rotation the lifecycle poll has not seen yet: re-open first, so nothing goes out on a
      // socket logged in with a key that is no longer the current one (one cached read).
      if (await keyMoved()) {
        resume('key_rotated');
        while (gate) await gate;
      }
      if (failed || closed)
        throw new KeywardenError('upstream_failed', 'the exchange WebSocket could not be re-opened');
      sent.add(request);
      try {
        return await current.stream(request);
      } catch (err) {
        unsent(request);
        throw err;
      }
    },
    send: (request) => o.rest.send(request),
    close: async () => undefined,
  };

  return {
    upstream,
    get resumes() {
      return resumes;
    },
    settle(outcome) {
      const at = outcome.at;
      if (!at || !('outgoing' in at)) return;
      unsent(at.outgoing);
      if (outcome.kind !== 'forwarded' || !at.key) return;
      if (!signedWith || at.key.id !== signedWith.id || at.key.version < signedWith.version)
        signedWith = at.key;
      if (outcome.answer.status >= 400 || !ws.sessionState?.(at.outgoing.path)) return;
      if (state.length >= MAX_SESSION_STATE) overflow = true;
      else {
        // The decided request is what is signed again; its old signed form (a JWT, a signature) is not kept.
        const { outgoing: _sent, nonceLease: _released, ...decided } = at;
        state.push(decided);
      }
    },
    review(lookup) {
      const was = signedWith;
      if (closed || failed || gate || checking || !was) return;
      checking = true;
      hooks.resume
        .key(was.id, lookup)
        .then((key) => {
          if (closed || failed || gate || signedWith !== was) return;
          if (key?.status !== 'active') {
            fail(CLOSE_POLICY, 'keywarden: the exchange key behind this client is retired');
            return;
          }
          if (key.version === was.version) return;
          // No socket and no state: the next request opens one with the new key.
          if (!current.open && state.length === 0) signedWith = key;
          else resume('key_rotated');
        })
        .catch((err: unknown) => hooks.onError(o.connectionId, err))
        .finally(() => {
          checking = false;
        });
    },
    close() {
      if (closed) return;
      closed = true;
      void current.close();
      void replaying?.close();
    },
  };
}
