import { BlockList, isIP } from 'node:net';

/** A CIDR allow-list (IPv4 and IPv6) backed by node:net BlockList. Empty list = allow all. */
export interface IpAllowList {
  readonly empty: boolean;
  allows(ip: string): boolean;
}

export function createAllowList(cidrs: readonly string[]): IpAllowList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr = '', bits] = c.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return {
    empty: cidrs.length === 0,
    allows(ip) {
      if (cidrs.length === 0) return true;
      const family = isIP(ip);
      if (family === 0) return false;
      if (list.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return true;
      // An IPv4 client seen through a dual-stack socket arrives as ::ffff:a.b.c.d.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
      return mapped !== undefined && list.check(mapped, 'ipv4');
    },
  };
}

/**
 * The client's address: the socket peer, unless the peer is a configured proxy, in which case
 * the right-most X-Forwarded-For entry not itself a trusted proxy (entries further left are
 * client-controlled and never believed).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: IpAllowList): string {
  const normalise = (ip: string) => ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  let ip = normalise(peer);
  if (trusted.empty || forwardedFor === undefined || !trusted.allows(ip)) return ip;
  const hops = forwardedFor.split(',').map((h) => normalise(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (isIP(hop) === 0) return ip;
    ip = hop;
    if (!trusted.allows(hop)) return hop;
  }
  return ip;
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** A loopback socket peer (IPv4, IPv6, or IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/** Headers a proxy adds to say who the real client is (or that it passed through one). */
const PROXY_HEADERS = new Set([
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-original-forwarded-for',
]);

/** True when any header says a proxy passed the request on: a loopback peer is then no local caller. */
export function hasProxyHeader(headers: Record<string, unknown>): boolean {
  return Object.keys(headers).some((h) => {
    const name = h.toLowerCase();
    return PROXY_HEADERS.has(name) || name.startsWith('x-forwarded-');
  });
}
