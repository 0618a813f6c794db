/**
 * The signing pipeline, independent of the HTTP framework:
 * target checks → parse → authenticate (constant time) → client state → source IP → rate limit
 * → classify → policy → audit (committed before forwarding; fail closed) → sign → forward →
 * outcome audit. Every denial answers in the exchange's own error shape, names its rule or
 * code, and is never forwarded.
 */
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../audit/audit-types.js';
import { hashToken } from '../clients/index.js';
import type { Clock, ExchangeId } from '../core/index.js';
import { ERROR_CODES, type ErrorCode, KeywardenError, safeEqual } from '../core/index.js';
import type {
  Classification,
  Credential,
  ExchangeAdapter,
  ExchangeRequest,
  NonceSource,
  VerifyFailure,
} from '../exchanges/adapter.js';
import { createMemoryNonceLedger, createNonceSource } from '../exchanges/memory-nonce-ledger.js';
import type { KeyRecord } from '../keys/index.js';
import type { RequestEvent } from '../monitor/monitor-types.js';
import { isOrderAction, marketDataNeeds, precheck, sizedOrders } from '../policy/policy-eval.js';
import type { PolicyContext } from '../policy/policy-types.js';
import { createUsageTracker, type Reservation } from '../policy/usage.js';
import { type CredentialHit, createClientCache } from './client-cache.js';
import { createDenialAggregator } from './denial-aggregator.js';
import type { GatewayAnswer, GatewayDeps, GatewayRequest } from './gateway-types.js';
import { clientAddress, createAllowList, isLoopback } from './ip.js';
import { createMarketData, type MarketData } from './market-data.js';
import { createRateLimiter } from './rate-limit.js';
import { createReplayCache } from './replay-cache.js';
import { checkTarget, isSaneHost } from './target.js';
import type { Upstream } from './upstream.js';

export interface Gateway {
  handle(req: GatewayRequest): Promise<GatewayAnswer>;
  /** An error answer for failures caught outside the pipeline (framework errors such as 413). */
  errorAnswer(rawUrl: string, code: ErrorCode, requestId: string, message?: string): GatewayAnswer;
  /** Drop cached client state and decrypted credentials (after seal/unseal or a local change). */
  invalidate(): void;
  /** The nonce sequence an exchange key signs with (Kraken); lifecycle checks share it (see GatewayDeps.nonces). */
  nonceFor(keyId: string): NonceSource;
  readiness(): Promise<{ ready: boolean; sealed: boolean; store: boolean; audit: boolean }>;
}

/** Headers any client may have forwarded, with the adapter's own; everything else (cookies, proxies' headers, auth) is dropped. */
const FORWARDED_HEADERS = ['content-type', 'accept', 'user-agent'];
const METHOD_OVERRIDE = ['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-method'];
const KEY_TTL_MS = 1_000;
/** Contract specs change rarely (listing changes); an hour keeps instrument calls negligible. */
const SPEC_TTL_MS = 3_600_000;
/** Distinct symbols one request may need market data for: a batch of 300 off-list symbols is not 300 ticker calls. */
const MAX_SYMBOLS_PER_REQUEST = 20;
/** Replay window when an adapter names a replay key but no window (the largest freshness window of the five). */
const REPLAY_WINDOW_MS = 120_000;
/** Sizes and prices keywarden evaluates (the adapters' schemas hold them to this too). */
const MAX_NUMBER = 1e15;

/** A size, price or leverage that is no finite number within bounds: refused before the policy (not a store failure). */
function intentOutOfBounds(c: Classification): string | undefined {
  const bad = (n: number | undefined) =>
    n !== undefined && !(Number.isFinite(n) && n >= 0 && n <= MAX_NUMBER);
  if (bad(c.leverage)) return 'leverage out of bounds';
  for (const o of c.orders) {
    if (bad(o.quantity) || bad(o.quoteQuantity) || bad(o.price) || bad(o.leverage))
      return `order size or price out of bounds (at most ${MAX_NUMBER})`;
    for (const p of o.prices ?? []) if (bad(p.value)) return `${p.field} out of bounds`;
  }
  const amount = c.withdrawal?.amount;
  if (bad(amount)) return 'withdrawal amount out of bounds';
  return undefined;
}

const VERIFY_CODES: Record<VerifyFailure, ErrorCode> = {
  missing_credentials: 'auth_missing',
  bad_signature: 'auth_bad_signature',
  bad_passphrase: 'auth_bad_signature',
  stale_timestamp: 'auth_stale',
  nonce_reused: 'auth_stale',
  malformed: 'bad_request',
};

interface Ctx {
  requestId: string;
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  sourceIp: string;
  /** `METHOD /path` (no query) until the adapter has classified the request. */
  endpoint: string;
  hit?: CredentialHit;
  classification?: Classification;
  /** For the monitor: set once known. */
  keyLabel?: string;
  notional?: number;
  /** The policy decision of a request that was forwarded (or refused only because the audit failed). */
  decision?: 'allow' | 'would-deny';
  /** Denial rule (policy rule or code) and message, or the would-deny of monitor mode. */
  rule?: string;
  message?: string;
  upstreamStatus?: number;
}

/**
 * Denials that are protocol noise rather than something a known client did (probes of unknown
 * paths, malformed requests, a sealed vault): counted in metrics, never alerted one by one.
 * Failed authentications are alerted as bursts by the rule engine.
 */
function alertable(client: string | undefined, code: string | undefined): boolean {
  return client !== undefined || code === undefined || code.startsWith('auth_') || code === 'client_revoked';
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const clock: Clock = deps.clock ?? { now: Date.now };
  const { config, vault, audit } = deps;
  const cache = createClientCache({
    loadAll: () => deps.clients.loadAll(),
    version: () => deps.clients.version(),
    isSealed: () => vault.isSealed(),
  });
  const limiter = createRateLimiter(() => clock.now());
  const usage = deps.usage ?? createUsageTracker();
  const trustedProxies = createAllowList(config.server.trustedProxies);
  const clientNonces = deps.clientNonces ?? createMemoryNonceLedger();
  const replays = createReplayCache(() => clock.now());
  const nonceSources = new Map<string, NonceSource>();
  const keyInfo = new Map<string, { record: KeyRecord; at: number }>();
  const credentials = new Map<string, Credential>();
  let keyInfoFor: unknown;
  const marketData = new Map<ExchangeId, MarketData>();
  for (const [id, up] of Object.entries(deps.upstreams)) {
    const adapter = deps.adapters[id as ExchangeId];
    if (up && adapter)
      marketData.set(
        id as ExchangeId,
        createMarketData(adapter, up, {
          ttlMs: config.prices.ttlMs,
          failureTtlMs: config.prices.failureTtlMs,
          specTtlMs: SPEC_TTL_MS,
          now: () => clock.now(),
        }),
      );
  }

  const unauthenticated = createDenialAggregator(() => clock.now());
  let drainedAt = 0;
  /** Write the summaries of finished minutes (at most once a second; also on a timer, below). */
  function drainSummaries(all = false): void {
    const t = clock.now();
    if (!all && t - drainedAt < 1_000) return;
    drainedAt = t;
    for (const s of unauthenticated.drain(all)) {
      audit
        .append({
          kind: 'request',
          exchange: s.exchange,
          sourceIp: s.sourceIp,
          decision: 'deny',
          rule: 'unauthenticated',
          message: `${s.count} more denied requests without a known client from ${s.sourceIp} in the minute from ${new Date(s.minute).toISOString()}`,
          detail: { count: s.count, minute: s.minute },
        })
        .catch((err: unknown) => deps.onError?.('unauthenticated-summary', err));
    }
  }
  setInterval(() => drainSummaries(), 15_000).unref();

  function anonymousAllowed(req: GatewayRequest): boolean {
    const configured = config.server.allowAnonymousPublic;
    return configured ?? (req.local !== undefined && isLoopback(req.local));
  }

  function reserveUsage(clientId: string, at: number, c: Classification, notional: number): Reservation {
    const w = c.withdrawal;
    return usage.reserve(clientId, at, {
      orders: isOrderAction(c.action) ? sizedOrders(c) : 0,
      notional,
      ...(c.action === 'withdraw' && w?.coin && w.amount !== undefined
        ? { withdrawal: { coin: w.coin, amount: w.amount } }
        : {}),
    });
  }

  function answer(
    adapter: ExchangeAdapter | undefined,
    code: ErrorCode,
    requestId: string,
    message: string,
  ): GatewayAnswer {
    const text = `keywarden denied [${code}]: ${message}`;
    if (!adapter)
      return {
        status: ERROR_CODES[code].status,
        headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-keywarden-code': code },
        body: JSON.stringify({ error: code, message: text }),
      };
    const r = adapter.errorResponse(ERROR_CODES[code].kind, text);
    return {
      status: code === 'body_too_large' ? 413 : r.status,
      headers: { ...r.headers, 'x-request-id': requestId, 'x-keywarden-code': code },
      body: r.body,
    };
  }

  function baseEvent(ctx: Ctx): AuditEvent {
    const c = ctx.classification;
    const first = c?.orders[0];
    const record = ctx.hit?.client.record;
    // Built by assignment, not conditional spreads: this runs for every request (hot path).
    const event: AuditEvent = {
      kind: 'request',
      requestId: ctx.requestId,
      exchange: ctx.exchange,
      sourceIp: ctx.sourceIp,
    };
    if (record) {
      event.actor = record.name;
      event.clientId = record.id;
      event.keyId = record.keyId;
    }
    if (c) {
      event.action = c.action;
      event.endpoint = c.endpoint;
    }
    if (first?.symbol) event.symbol = first.symbol;
    if (first?.side) event.side = first.side;
    const address = c?.withdrawal?.address;
    if (ctx.hit || address) {
      const sensitive: Record<string, string> = {};
      if (ctx.hit) sensitive.clientKeyId = ctx.hit.credential.apiKeyId;
      if (address) sensitive.address = address;
      event.sensitive = sensitive;
    }
    return event;
  }

  /** Deny: the record is written first (best effort: a denial is answered even if the log is down). */
  async function deny(ctx: Ctx, code: ErrorCode, message: string, rule?: string): Promise<GatewayAnswer> {
    ctx.rule = rule ?? code;
    ctx.message = message;
    drainSummaries();
    // No known client: counted per source IP and minute, recorded in full only the first time.
    if (!ctx.hit && !unauthenticated.admit(ctx.sourceIp, ctx.exchange))
      return answer(ctx.adapter, code, ctx.requestId, message);
    try {
      const event = baseEvent(ctx);
      event.decision = 'deny';
      event.rule = rule ?? code;
      event.message = message;
      await audit.append(event);
    } catch (err) {
      deps.onError?.(ctx.requestId, err);
    }
    return answer(ctx.adapter, code, ctx.requestId, message);
  }

  async function keyRecord(keyId: string): Promise<KeyRecord | undefined> {
    const t = clock.now();
    const hit = keyInfo.get(keyId);
    if (hit && t - hit.at < KEY_TTL_MS) return hit.record;
    const record = await deps.keys.get(keyId);
    if (record) keyInfo.set(keyId, { record, at: t });
    else keyInfo.delete(keyId);
    return record;
  }

  async function credentialFor(key: KeyRecord): Promise<Credential> {
    const cacheKey = `${key.id}:${key.version}`;
    const hit = credentials.get(cacheKey);
    if (hit) return hit;
    const c = await deps.keys.credential(key.id, key.version);
    for (const k of credentials.keys()) if (k.startsWith(`${key.id}:`)) credentials.delete(k);
    credentials.set(cacheKey, c);
    return c;
  }

  function nonceFor(keyId: string): NonceSource {
    if (deps.nonces) return deps.nonces(keyId);
    let n = nonceSources.get(keyId);
    if (!n) {
      n = createNonceSource(() => clock.now());
      nonceSources.set(keyId, n);
    }
    return n;
  }

  /**
   * An amend is a new order for its resting order's symbol and side: read that order from the
   * exchange (signed with the real key, a read) and fill what the amend does not name. What the
   * amend itself names (a new size or price) stays; a symbol that contradicts the resting order
   * is refused, and so is an amend whose order cannot be read.
   */
  async function resolveAmends(
    c: Classification,
    request: ExchangeRequest,
    key: KeyRecord,
    adapter: ExchangeAdapter,
    upstream: Upstream,
  ): Promise<string | undefined> {
    const pending = c.orders.filter(
      (o) =>
        o.amend &&
        o.orderRef &&
        (o.symbol === undefined || o.side === undefined || o.quantity === undefined || o.price === undefined),
    );
    if (pending.length === 0 || !adapter.restingOrderRequest || !adapter.parseRestingOrder) return undefined;
    if (pending.length > MAX_SYMBOLS_PER_REQUEST)
      return `a request may amend at most ${MAX_SYMBOLS_PER_REQUEST} orders`;
    const credential = await credentialFor(key);
    for (const o of pending) {
      const lookup = adapter.restingOrderRequest(o, request);
      if (!lookup) continue;
      const signed = adapter.sign(lookup, credential, {
        clock,
        nonce: nonceFor(key.id),
        baseUrl: upstream.baseUrl,
      });
      const resting = await upstream
        .send(signed)
        .then((answer) => adapter.parseRestingOrder?.(answer))
        .catch(() => undefined);
      // No answer, no amend: an amend is only judged against the order it changes.
      if (!resting) return 'the order to amend could not be read from the exchange (not open, or not found)';
      if (o.symbol !== undefined && o.symbol !== resting.symbol)
        return `the amend names ${o.symbol} but the order it changes is ${resting.symbol}`;
      o.symbol = resting.symbol;
      if (resting.rawSymbol !== undefined) o.rawSymbol ??= resting.rawSymbol;
      if (resting.market !== undefined) o.market = resting.market;
      o.side ??= resting.side;
      if (o.quantity === undefined && o.quoteQuantity === undefined && resting.quantity !== undefined)
        o.quantity = resting.quantity;
      if (o.price === undefined && o.pricing !== 'market' && resting.price !== undefined) {
        // A size-only amend grows an order at its resting price: that price is banded too.
        o.price = resting.price;
        if (o.prices) o.prices.push({ field: 'resting price', value: resting.price });
      }
    }
    return undefined;
  }

  function forwardHeaders(adapter: ExchangeAdapter, request: ExchangeRequest): ExchangeRequest {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) {
      const name = k.toLowerCase();
      if (FORWARDED_HEADERS.includes(name) || adapter.forwardedHeaders.includes(name)) headers[name] = v;
    }
    return { ...request, headers };
  }

  async function pipeline(req: GatewayRequest, seen: { ctx?: Ctx }): Promise<GatewayAnswer> {
    const target = checkTarget(req.rawUrl);
    if (!target.ok) {
      const adapter = target.exchange ? deps.adapters[target.exchange] : undefined;
      if (target.reason === 'unknown_exchange' || !adapter || !target.exchange)
        return answer(
          undefined,
          target.reason === 'unknown_exchange' ? 'not_found' : 'path_not_allowed',
          req.requestId,
          target.message,
        );
      return answer(adapter, 'path_not_allowed', req.requestId, target.message);
    }
    const { exchange } = target;
    const adapter = deps.adapters[exchange];
    const upstream = deps.upstreams[exchange];
    if (!adapter || !upstream)
      return answer(undefined, 'not_found', req.requestId, `exchange ${exchange} is not enabled`);
    const sourceIp = clientAddress(req.peer, headerValue(req.headers['x-forwarded-for']), trustedProxies);
    const ctx: Ctx = {
      requestId: req.requestId,
      exchange,
      adapter,
      sourceIp,
      endpoint: `${req.method.toUpperCase()} ${target.path}`,
    };
    seen.ctx = ctx;
    const { perIpPerSecond, perIpBurst } = config.rateLimit;
    if (!limiter.take(`pre:${sourceIp}`, perIpPerSecond, perIpBurst))
      return deny(ctx, 'rate_limited', `more than ${perIpPerSecond} requests per second from ${sourceIp}`);

    for (const h of METHOD_OVERRIDE)
      if (req.headers[h] !== undefined) return deny(ctx, 'path_not_allowed', `${h} header is not accepted`);
    const host = headerValue(req.headers.host);
    if (!isSaneHost(host)) return deny(ctx, 'bad_request', 'malformed Host header');
    if (vault.isSealed()) {
      credentials.clear();
      deps.monitor?.observe({
        type: 'system',
        at: clock.now(),
        kind: 'gateway_sealed',
        message: `a ${exchange} request arrived while the vault is sealed; every signing request is refused until \`keywarden unseal\``,
        detail: { exchange },
      });
      return answer(adapter, 'vault_sealed', req.requestId, ERROR_CODES.vault_sealed.message);
    }

    const headers: Record<string, string> = {};
    for (const k of Object.keys(req.headers)) {
      const value = headerValue(req.headers[k]);
      if (value !== undefined) headers[k.toLowerCase()] = value;
    }
    const parsed = adapter.parse({
      method: req.method.toUpperCase(),
      path: target.path,
      query: target.query,
      headers,
      body: req.body,
    });
    if (!parsed.ok) return deny(ctx, 'bad_request', parsed.message);
    const request = parsed.request;
    const now = clock.now();

    // --- authenticate ---
    const lookup = await cache.current();
    // A key rotation bumps the client-state counter too: re-read key records (version) at once.
    if (lookup !== keyInfoFor) {
      keyInfo.clear();
      keyInfoFor = lookup;
    }
    const authz = headers.authorization;
    let anonymous = false;
    if (authz !== undefined && /^Bearer kw_/i.test(authz)) {
      const hash = hashToken(authz.slice(7).trim());
      if (lookup.isRevokedToken(hash)) return deny(ctx, 'client_revoked', 'client credential revoked');
      const hit = lookup.byTokenHash(hash);
      if (!hit || !safeEqual(hash, hit.credential.tokenHash) || hit.client.record.exchange !== exchange)
        return deny(ctx, 'auth_unknown_key', 'unknown bearer token');
      ctx.hit = hit;
    } else {
      const keyId = adapter.clientKeyId(request);
      if (keyId === undefined) {
        ctx.classification = adapter.classify(request);
        if (ctx.classification.action !== 'public' || !anonymousAllowed(req))
          return deny(ctx, 'auth_missing', 'this endpoint needs a keywarden client credential');
        if (ctx.classification.rejected !== undefined)
          return deny(ctx, 'request_rejected', ctx.classification.rejected);
        const budget = config.server.anonymousPublicWeightPerMinute;
        const weight = Math.max(1, adapter.publicWeight?.(request) ?? 1);
        if (!limiter.take(`anon:${exchange}`, budget / 60, budget, weight))
          return deny(
            ctx,
            'rate_limited',
            `the anonymous public relay spent its ${budget} weight per minute for ${exchange}; use a client credential`,
          );
        anonymous = true;
      } else {
        if (lookup.isRevokedKey(keyId)) return deny(ctx, 'client_revoked', 'client credential revoked');
        const hit = lookup.byApiKey(keyId);
        if (!hit || hit.client.record.exchange !== exchange)
          return deny(ctx, 'auth_unknown_key', 'unknown client api key');
        const verified = adapter.verifyClient(request, hit.credential.verifier, {
          clock,
          nonces: clientNonces,
          origin: { host: host ?? '', prefix: `/${exchange}` },
        });
        ctx.hit = hit;
        if (!verified.ok) return deny(ctx, VERIFY_CODES[verified.reason], verified.message);
        if (
          verified.replayKey !== undefined &&
          !replays.accept(
            hit.client.record.id,
            verified.replayKey,
            verified.replayWindowMs ?? REPLAY_WINDOW_MS,
          )
        )
          return deny(
            ctx,
            'auth_replayed',
            'this signed request was already used: sign every request afresh',
          );
      }
    }

    // --- client state, source IP, rate limit ---
    const client = ctx.hit?.client;
    if (client) {
      const r = client.record;
      // Named in alerts about this client (cached; the policy step reads the key record anyway).
      if (deps.monitor) ctx.keyLabel = (await keyRecord(r.keyId).catch(() => undefined))?.label;
      if (r.status === 'revoked') return deny(ctx, 'client_revoked', `client ${r.name} is revoked`);
      if (r.status === 'frozen') return deny(ctx, 'client_frozen', `client ${r.name} is frozen`);
      if (r.expiresAt !== undefined && r.expiresAt <= now)
        return deny(ctx, 'client_expired', `client ${r.name} expired`);
      const notAfter = ctx.hit?.credential.notAfter;
      if (notAfter !== undefined && notAfter <= now)
        return deny(ctx, 'client_revoked', 'this credential was re-rolled and its grace period is over');
      if (!client.ipAllow.allows(sourceIp))
        return deny(ctx, 'ip_not_allowed', `source IP ${sourceIp} is not in the client's allow-list`);
    }
    const perSecond = client?.record.ratePerSecond ?? config.rateLimit.perSecond;
    const burst =
      client?.record.ratePerSecond === undefined ? config.rateLimit.burst : Math.max(1, perSecond * 2);
    if (!limiter.take(client ? client.record.id : `ip:${sourceIp}`, perSecond, burst))
      return deny(ctx, 'rate_limited', `more than ${perSecond} requests per second`);

    // --- classify and policy ---
    const classification = ctx.classification ?? adapter.classify(request);
    ctx.classification = classification;
    if (classification.rejected !== undefined) return deny(ctx, 'request_rejected', classification.rejected);
    const outOfBounds = intentOutOfBounds(classification);
    if (outOfBounds) return deny(ctx, 'bad_request', outOfBounds);
    let key: KeyRecord | undefined;
    let decision: 'allow' | 'would-deny' = 'allow';
    let wouldDeny: { rule: string; message: string } | undefined;
    let reservation: Reservation | undefined;
    let notional = 0;
    if (client) {
      const r = client.record;
      key = await keyRecord(r.keyId);
      if (key?.status !== 'active')
        return deny(ctx, 'auth_unknown_key', 'the exchange key behind this client is retired');
      if (r.policy.actions.includes(classification.action)) {
        const amendDenial = await resolveAmends(classification, request, key, adapter, upstream);
        if (amendDenial) return deny(ctx, 'request_rejected', amendDenial);
      }
      const policyCtx: PolicyContext = {
        now,
        clientEnvironment: r.environment,
        keyEnvironment: key.environment,
        prices: {},
        specs: {},
        slippagePercent: config.prices.slippagePercent,
        usage: usage.snapshot(r.id, now),
      };
      const needs = marketDataNeeds(r.policy, classification);
      const market = marketData.get(exchange);
      // Most requests (reads, cancels, limit buys without a band) need no market data: one
      // synchronous evaluation. The others run the data-free rules first, so a denied request
      // costs no upstream call, then fetch, then read the usage again after the await.
      if (market && needs.prices.length + needs.specs.length > 0) {
        const early = precheck(r.policy, classification, policyCtx);
        if (early && (r.policy.mode !== 'monitor' || early.rule === 'environment'))
          return deny(ctx, 'policy_denied', `policy rule ${early.rule}: ${early.message}`, early.rule);
        if (needs.prices.length + needs.specs.length > MAX_SYMBOLS_PER_REQUEST)
          return deny(
            ctx,
            'request_rejected',
            `a request may name at most ${MAX_SYMBOLS_PER_REQUEST} symbols that need market data`,
          );
        await market.fill(needs, policyCtx);
        // Synchronous from here to the reservation: concurrent requests of this client see each other's usage.
        policyCtx.usage = usage.snapshot(r.id, now);
      }
      const result = deps.evaluate(r.policy, classification, policyCtx);
      if (result.notional !== undefined && result.notional > 0) ctx.notional = result.notional;
      if (!result.allowed)
        return deny(ctx, 'policy_denied', `policy rule ${result.rule}: ${result.message}`, result.rule);
      if (result.wouldDeny) {
        decision = 'would-deny';
        wouldDeny = result.wouldDeny;
      }
      notional = result.notional;
      reservation = reserveUsage(r.id, now, classification, notional);
    } else if (!anonymous) {
      return deny(ctx, 'auth_missing', 'no client credential');
    }

    // --- audit before forwarding (fail closed) ---
    ctx.decision = decision;
    if (wouldDeny) {
      ctx.rule = wouldDeny.rule;
      ctx.message = wouldDeny.message;
    }
    try {
      const event = baseEvent(ctx);
      event.decision = decision;
      if (notional > 0) event.notional = notional;
      if (wouldDeny) {
        event.rule = wouldDeny.rule;
        event.message = wouldDeny.message;
      }
      await audit.append(event);
    } catch (err) {
      reservation?.release();
      deps.onError?.(req.requestId, err);
      return answer(adapter, 'audit_unavailable', req.requestId, ERROR_CODES.audit_unavailable.message);
    }

    // --- sign and forward ---
    const stripped = forwardHeaders(adapter, adapter.stripAuth(request));
    let outgoing = stripped;
    if (key && classification.action !== 'public') {
      try {
        outgoing = adapter.sign(stripped, await credentialFor(key), {
          clock,
          nonce: nonceFor(key.id),
          baseUrl: upstream.baseUrl,
        });
      } catch (err) {
        reservation?.release();
        throw err;
      }
      if (outgoing.path !== request.path || outgoing.method !== request.method) {
        reservation?.release();
        throw new KeywardenError('internal', 'adapter changed the request target while signing');
      }
    }
    const started = performance.now();
    const outcome = (upstreamStatus: number | undefined) => {
      const event: AuditEvent = { kind: 'outcome', requestId: req.requestId, exchange };
      if (upstreamStatus !== undefined) event.upstreamStatus = upstreamStatus;
      event.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      audit.append(event).catch((err: unknown) => deps.onError?.(req.requestId, err));
    };
    try {
      const r = await upstream.stream(outgoing);
      ctx.upstreamStatus = r.status;
      // A 4xx is the exchange refusing the request: nothing executed, the usage is given back.
      // Except 409 Conflict, which exchanges use for "partly executed" (a cancel-replace whose
      // new order was placed); a 5xx or a lost answer may have executed too: those stand.
      if (r.status >= 400 && r.status < 500 && r.status !== 409) reservation?.release();
      outcome(r.status);
      // The upstream's header object is this response's own copy: add to it rather than spread it.
      r.headers['x-request-id'] = req.requestId;
      return { status: r.status, headers: r.headers, stream: r.body };
    } catch (err) {
      outcome(undefined);
      if (err instanceof KeywardenError) return answer(adapter, err.code, req.requestId, err.message);
      throw err;
    }
  }

  /**
   * Tell the monitor how the request ended (synchronous and cheap: delivery happens later, off
   * the request path). Names only: the client's name and key label, never a client key id.
   */
  function report(ctx: Ctx, result: GatewayAnswer, latencyMs: number): void {
    const c = ctx.classification;
    const code = 'stream' in result ? undefined : result.headers['x-keywarden-code'];
    const record = ctx.hit?.client.record;
    const symbols = c ? [...new Set(c.orders.flatMap((o) => (o.symbol ? [o.symbol] : [])))] : [];
    const keyLabel = ctx.keyLabel ?? (record ? keyInfo.get(record.keyId)?.record.label : undefined);
    // Refused after the policy allowed it (audit down, upstream failed): the policy decision stands, the code says why.
    const decision = ctx.decision && code !== 'audit_unavailable' ? ctx.decision : code ? 'deny' : 'allow';
    const event: RequestEvent = {
      type: 'request',
      at: clock.now(),
      requestId: ctx.requestId,
      ...(record ? { client: record.name } : {}),
      ...(keyLabel ? { keyLabel } : {}),
      exchange: ctx.exchange,
      action: c?.action ?? 'unknown',
      endpoint: c?.endpoint ?? ctx.endpoint,
      symbols,
      ...(ctx.notional !== undefined ? { notional: ctx.notional } : {}),
      sourceIp: ctx.sourceIp,
      decision,
      ...(decision === 'deny' ? { code: code === 'policy_denied' ? (ctx.rule ?? code) : code } : {}),
      ...(decision === 'would-deny' && ctx.rule ? { code: ctx.rule } : {}),
      ...(decision === 'allow' && code ? { code } : {}),
      ...(ctx.message !== undefined ? { message: ctx.message } : {}),
      ...(ctx.upstreamStatus !== undefined ? { upstreamStatus: ctx.upstreamStatus } : {}),
      latencyMs,
    };
    if (deps.monitor && alertable(event.client, event.code)) deps.monitor.observe(event);
    else deps.metrics?.recordRequest(event);
  }

  return {
    async handle(req) {
      const started = performance.now();
      const seen: { ctx?: Ctx } = {};
      let result: GatewayAnswer;
      try {
        result = await pipeline(req, seen);
      } catch (err) {
        deps.onError?.(req.requestId, err);
        const target = checkTarget(req.rawUrl);
        const adapter = target.ok ? deps.adapters[target.exchange] : undefined;
        const code: ErrorCode =
          err instanceof KeywardenError && (err.code === 'vault_sealed' || err.code === 'upstream_failed')
            ? err.code
            : 'internal';
        result = answer(adapter, code, req.requestId, ERROR_CODES[code].message);
      }
      if (seen.ctx && (deps.monitor || deps.metrics)) report(seen.ctx, result, performance.now() - started);
      return result;
    },
    errorAnswer(rawUrl, code, requestId, message) {
      const target = checkTarget(rawUrl);
      const exchange = target.ok ? target.exchange : target.exchange;
      return answer(
        exchange ? deps.adapters[exchange] : undefined,
        code,
        requestId,
        message ?? ERROR_CODES[code].message,
      );
    },
    invalidate() {
      cache.invalidate();
      credentials.clear();
      keyInfo.clear();
    },
    nonceFor,
    async readiness() {
      const sealed = vault.isSealed();
      const r = deps.ready
        ? await deps.ready().catch(() => ({ store: false, audit: false }))
        : { store: true, audit: true };
      return { ready: !sealed && r.store && r.audit, sealed, ...r };
    },
  };
}
