/**
 * What the JSON-API emulators share: reading a request's query and JSON body, admitting a signed
 * request step by step (api-key header, key lookup, signature, IP allow-list, permission) with
 * each refusal in the exchange's own words, and an emulator that seeds the standard key set.
 * The order of the checks is the exchanges' own (an unknown key is refused before its signature
 * is read, an IP before a permission); the exchange supplies only how it says no.
 */
import type { ExchangeId } from '../core/index.js';
import {
  type ExchangeResponse,
  headerValue,
  type Params,
  parseParams,
  parseStrictJson,
} from '../exchanges/index.js';
import type {
  SandboxContext,
  SandboxEmulator,
  SandboxKey,
  SandboxPermissions,
  SandboxRequest,
} from './emulator.js';
import { ipRefused } from './key-auth.js';
import { type IssuedKey, seedKeys } from './seed-keys.js';

/** The query's parameters and the parsed body (undefined when the body is empty). */
export type ReadRequest =
  | { ok: true; query: Params; body: unknown }
  | { ok: false; part: 'query' | 'body'; message: string };

/** Strict reading: a duplicated parameter or JSON key is refused, as the adapters refuse it. */
export function readQueryAndBody(req: SandboxRequest): ReadRequest {
  const q = parseParams(req.query);
  if (!q.ok) return { ok: false, part: 'query', message: q.message };
  if (req.body === '') return { ok: true, query: q.params, body: undefined };
  const parsed = parseStrictJson(req.body);
  if (!parsed.ok) return { ok: false, part: 'body', message: parsed.message };
  return { ok: true, query: q.params, body: parsed.value };
}

/** How one exchange refuses at each step of admitting a signed request. */
export interface KeyGate {
  /** The header that names the api key. */
  header: string;
  missingKey(): ExchangeResponse;
  unknownKey(): ExchangeResponse;
  /** The exchange's signature check: its refusal, or undefined when the signature holds. */
  verify(key: SandboxKey): ExchangeResponse | undefined;
  ipRefused(): ExchangeResponse;
  /** The permission the endpoint needs. */
  need: keyof SandboxPermissions;
  denied(): ExchangeResponse;
}

export type Admission = { ok: true; key: SandboxKey } | { ok: false; response: ExchangeResponse };

export function admitKey(req: SandboxRequest, ctx: SandboxContext, gate: KeyGate): Admission {
  const refuse = (response: ExchangeResponse): Admission => ({ ok: false, response });
  const apiKey = headerValue(req.headers, gate.header);
  if (!apiKey) return refuse(gate.missingKey());
  const key = ctx.keyById(apiKey);
  if (!key) return refuse(gate.unknownKey());
  const failure = gate.verify(key);
  if (failure) return refuse(failure);
  if (ipRefused(key, req)) return refuse(gate.ipRefused());
  if (!key.permissions[gate.need]) return refuse(gate.denied());
  return { ok: true, key };
}

/** An emulator whose keys are the standard set (see seedKeys), each made by `issue`. */
export function standardEmulator(
  exchange: ExchangeId,
  issue: (name: string) => IssuedKey,
  handle: SandboxEmulator['handle'],
): SandboxEmulator {
  return { exchange, generateKeys: () => seedKeys(exchange, issue), handle };
}
