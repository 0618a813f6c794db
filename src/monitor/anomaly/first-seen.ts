import { clip } from '../alert-draft.js';
import type { ClientDetector } from './detector.js';
import { BoundedSet } from './ewma.js';

/** Values remembered per client; beyond this the oldest are forgotten (and would alert again). */
const CAPACITY = 5_000;

/** A symbol this client has never traded or queried before. */
export function newSymbolDetector(): ClientDetector {
  const seen = new BoundedSet(CAPACITY);
  return {
    observe(event, armed) {
      const symbols = event.symbols.slice(0, 50).map((s) => clip(s, 40));
      const fresh = symbols.find((s) => !seen.has(s));
      if (fresh === undefined) return undefined;
      const usual = seen.sample(5);
      const known = seen.size;
      for (const symbol of symbols) seen.add(symbol);
      if (!armed) return undefined;
      return {
        rule: 'anomaly.new_symbol',
        client: event.client,
        keyLabel: event.keyLabel,
        title: `First-seen symbol for ${event.client}: ${fresh}`,
        message: `symbol ${fresh} seen for the first time (${clip(event.action, 20)} ${clip(event.endpoint)}); usual symbols: ${usual.join(', ') || 'none'}${known > 5 ? ` and ${known - 5} more` : ''}`,
        dedupKey: `anomaly.new_symbol:${event.client}:${fresh}`,
        detail: { symbol: fresh, knownSymbols: known },
      };
    },
  };
}

/** A source IP this client has never used before. */
export function newIpDetector(): ClientDetector {
  const seen = new BoundedSet(CAPACITY);
  return {
    observe(event, armed) {
      const ip = clip(event.sourceIp, 64);
      if (seen.has(ip)) return undefined;
      const usual = seen.sample(5);
      const known = seen.size;
      seen.add(ip);
      if (!armed) return undefined;
      return {
        rule: 'anomaly.new_ip',
        client: event.client,
        keyLabel: event.keyLabel,
        title: `First-seen source IP for ${event.client}: ${ip}`,
        message: `request from ${ip} seen for the first time; usual source IPs: ${usual.join(', ') || 'none'}${known > 5 ? ` and ${known - 5} more` : ''}`,
        dedupKey: `anomaly.new_ip:${event.client}:${ip}`,
        detail: { sourceIp: ip, knownIps: known },
      };
    },
  };
}
