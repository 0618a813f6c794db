import type { AlertDraft } from '../alert-draft.js';
import type { AnomalyConfig, ClientMonitorConfig } from '../monitor-config.js';
import type { RequestEvent } from '../monitor-types.js';
import type { ClientDetector } from './detector.js';
import { newIpDetector, newSymbolDetector } from './first-seen.js';
import { hoursDetector } from './hours.js';
import { notionalDetector } from './notional.js';
import { rateDetector } from './rate.js';

/**
 * Per-client anomaly detection, learned from each client's own traffic. State is in
 * memory: after a restart every client warms up again (quiet rather than noisy).
 */
export interface AnomalyDetector {
  observe(event: RequestEvent): AlertDraft[];
}

/** Requests that are not the client's own traffic: failed identity checks may come from anyone. */
const NOT_CLIENT_TRAFFIC = new Set(['ip_not_allowed', 'client_frozen', 'client_revoked', 'client_expired']);

/** Clients tracked at once; the least recently active are forgotten first. */
const MAX_CLIENTS = 10_000;

interface ClientState {
  events: number;
  firstAt: number;
  detectors: ClientDetector[];
}

export function createAnomalyDetector(
  config: AnomalyConfig,
  clients: Record<string, ClientMonitorConfig> = {},
): AnomalyDetector {
  const states = new Map<string, ClientState>();

  function detectorsFor(): ClientDetector[] {
    const list: ClientDetector[] = [];
    if (config.rate.enabled) list.push(rateDetector(config.rate));
    if (config.newSymbol.enabled) list.push(newSymbolDetector());
    if (config.newIp.enabled) list.push(newIpDetector());
    if (config.notional.enabled) list.push(notionalDetector(config.notional));
    if (config.hours.enabled) list.push(hoursDetector(config.hours));
    return list;
  }

  return {
    observe(event) {
      const client = event.client;
      if (!config.enabled || client === undefined || !Number.isFinite(event.at)) return [];
      const code = event.code ?? '';
      if (code.startsWith('auth_') || NOT_CLIENT_TRAFFIC.has(code)) return [];
      const own = Object.hasOwn(clients, client) ? clients[client] : undefined;
      if (own && !own.anomaly) return [];

      let state = states.get(client);
      if (state) states.delete(client);
      else state = { events: 0, firstAt: event.at, detectors: detectorsFor() };
      states.set(client, state);
      if (states.size > MAX_CLIENTS) {
        const oldest = states.keys().next();
        if (!oldest.done) states.delete(oldest.value);
      }

      state.events += 1;
      const warmup = own?.warmup ?? config.warmup;
      const armed = state.events > warmup.events && event.at - state.firstAt >= warmup.minutes * 60_000;
      const scoped = { ...event, client };
      const out: AlertDraft[] = [];
      for (const detector of state.detectors) {
        const alert = detector.observe(scoped, armed);
        if (alert) out.push(alert);
      }
      return out;
    },
  };
}
