import { readFileSync } from 'node:fs';

/**
 * Fastify's `https` option from the `server.tls` config shape (certificate files, optional CA
 * and client-certificate requirement); nothing when TLS is not configured. The gateway and the
 * admin listener both use it, so both read TLS the same way.
 */
export function httpsOption(
  tls: { cert: string; key: string; ca?: string | undefined; requireClientCert: boolean } | undefined,
) {
  if (!tls) return {};
  return {
    https: {
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
      requestCert: tls.requireClientCert,
      rejectUnauthorized: tls.requireClientCert,
    },
  };
}
