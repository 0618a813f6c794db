/** What the record and the report say about a request, read from the state it reached. */
import type { AuditEvent } from '../../audit/index.js';
import type { Classification } from '../../exchanges/index.js';
import type { CredentialHit } from '../client-cache.js';
import type { Learned, Reached } from './types.js';

export interface Facts {
  at: Reached;
  hit?: CredentialHit;
  classification?: Classification;
  notional?: number;
}

export function factsOf(at: Reached, learned?: Learned): Facts {
  const facts: Facts = { at };
  const hit = 'caller' in at && at.caller.kind === 'client' ? at.caller.hit : learned?.hit;
  if (hit) facts.hit = hit;
  const classification =
    'intent' in at
      ? at.intent.intent
      : 'caller' in at && at.caller.kind === 'anonymous'
        ? at.caller.classification
        : learned?.classification;
  if (classification) facts.classification = classification;
  const notional = 'notional' in at ? at.notional : learned?.notional;
  if (notional !== undefined && notional > 0) facts.notional = notional;
  return facts;
}

/** The request record's common fields. Built by assignment, not conditional spreads: this runs for every request. */
export function requestEvent(f: Facts): AuditEvent {
  const { at, hit, classification: c } = f;
  const event: AuditEvent = {
    kind: 'request',
    requestId: at.edge.requestId,
    exchange: at.exchange,
    sourceIp: at.sourceIp,
  };
  const record = hit?.client.record;
  if (record) {
    event.actor = record.name;
    event.clientId = record.id;
    event.keyId = record.keyId;
  }
  const first = c?.orders[0];
  if (c) {
    event.action = c.action;
    event.endpoint = c.endpoint;
  }
  if (first?.symbol) event.symbol = first.symbol;
  if (first?.side) event.side = first.side;
  const address = c?.withdrawal?.address;
  if (hit || address) {
    const sensitive: Record<string, string> = {};
    if (hit) sensitive.clientKeyId = hit.credential.apiKeyId;
    if (address) sensitive.address = address;
    event.sensitive = sensitive;
  }
  return event;
}
