/**
 * PostgreSQL going away under a running store (src/store/health.ts, change-feed.ts,
 * postgres.ts): readiness turns false, the version watch reports itself unhealthy, and both
 * recover when the server answers again; a store that cannot reach its server at start refuses
 * to open (store_unavailable) rather than run on nothing.
 *
 * The shared PostgreSQL server is never stopped: the store reaches it through a TCP relay of
 * this test's own, and "PostgreSQL down" is that relay closing and cutting every connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { openPostgresStore, pingStore, watchClientsVersion } from '../../src/store/index.js';
import { describeStores } from './both-stores.js';

interface Relay {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

async function relayTo(port: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(port, '127.0.0.1');
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(listenPort, '127.0.0.1', () => {
        const a = server?.address();
        if (a && typeof a === 'object') listenPort = a.port;
        resolve();
      });
    });
  await up();
  return {
    port: listenPort,
    up,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server?.close(() => resolve());
      }),
  };
}

const relays: Relay[] = [];
afterAll(async () => {
  for (const r of relays) await r.down().catch(() => undefined);
});

const poll = async (cond: () => Promise<boolean> | boolean) => {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
};

describeStores('store down', (f) => {
  it.skipIf(f.dialect === 'sqlite')('refuses to open a PostgreSQL store nothing answers for', async () => {
    const relay = await relayTo(5432);
    await relay.down();
    await expect(
      openPostgresStore(`postgres://postgres@127.0.0.1:${relay.port}/postgres`),
    ).rejects.toMatchObject({
      code: 'store_unavailable',
    });
  });

  it.skipIf(f.dialect === 'sqlite')(
    'readiness and the version watch go false while PostgreSQL is away, and recover',
    async () => {
      const direct = await f.open();
      expect(await pingStore(direct)).toBe(true);
      const relay = await relayTo(5432);
      relays.push(relay);
      // The same database and schema as `direct`, reached through the relay.
      const url = new URL((direct as { url?: string }).url ?? '');
      url.port = String(relay.port);
      const store = await openPostgresStore(url.toString(), { max: 2 });
      const watch = await watchClientsVersion(store, { fallbackMs: 20 });
      try {
        expect(await pingStore(store)).toBe(true);
        expect(watch.healthy()).toBe(true);

        await relay.down();
        expect(await pingStore(store, 500)).toBe(false);
        await poll(() => !watch.healthy());

        await relay.up();
        await poll(() => pingStore(store, 500));
        await poll(() => watch.healthy());
      } finally {
        await watch.close();
        await store.close();
      }
    },
  );

  it('a healthy store answers the ping', async () => {
    expect(await pingStore(await f.open())).toBe(true);
  });
});
