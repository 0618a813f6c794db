/**
 * What `npm start` (`keywarden demo` without `--once`) does after the scripted steps: the
 * sandbox, the monitored gateway and the dashboard stay up on the demo data, with a one-time
 * owner sign-in printed once (a random password and the owner's own TOTP enrolment as an
 * otpauth URI: the operator's MFA, not an exchange secret), and the demo bot keeps trading so
 * the feed and the charts move, until Ctrl-C. Everything is closed by the demo's clean-ups.
 */
import { randomBytes } from 'node:crypto';
import { adminRoutes, createAdminServer } from '../admin/index.js';
import { LOCAL_ACTOR } from '../core/index.js';
import { totpCode } from '../operators/index.js';
import { adminServices } from './admin-root.js';
import type { DemoContext } from './demo.js';
import { type CcxtLike, denialText, NO_CCXT } from './demo-gateway.js';
import { openMonitoredGateway } from './demo-response.js';
import { dashboardWebRoot } from './web-root.js';

const OWNER = 'demo-owner';
/** The dashboard's usual port when it is free; another free port otherwise. */
const PREFERRED_PORT = 8790;
const BOT_EVERY_MS = 1500;

/** One bot move per tick: reads, an order and its cancel, and now and then one the policy refuses. */
function startBot(bot: CcxtLike, say: (line: string) => void): () => Promise<void> {
  let tick = 0;
  let running: Promise<void> = Promise.resolve();
  let reported = false;
  const move = async () => {
    tick++;
    if (tick % 5 === 0)
      await bot.createOrder('SOL/USDT', 'limit', 'buy', 1, 150); // not on the allow-list
    else if (tick % 2 === 0) {
      const order = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000);
      await bot.cancelOrder(order.id, 'BTC/USDT');
    } else await bot.fetchBalance();
  };
  const timer = setInterval(() => {
    running = running.then(() =>
      move().catch((err: unknown) => {
        // Denials are the point of some moves; only the first other failure is reported.
        const text = denialText(err);
        if (!/keywarden denied/.test(text) && !reported) {
          reported = true;
          say(`  ! demo bot: ${text}`);
        }
      }),
    );
  }, BOT_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

async function listenPreferring(server: ReturnType<typeof createAdminServer>): Promise<string> {
  try {
    return await server.listen(PREFERRED_PORT, '127.0.0.1');
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    return server.listen(0, '127.0.0.1');
  }
}

/** Keep everything up until `until` settles (Ctrl-C); the caller's clean-ups close it all. */
export async function stayUp(ctx: DemoContext, until: Promise<void>): Promise<void> {
  const { say } = ctx;
  const gw = await ctx.use(openMonitoredGateway);
  const services = adminServices({
    store: ctx.store,
    vault: ctx.vault,
    keys: ctx.keys,
    audit: gw.ex.audit,
    monitor: gw.alerts,
    gatewayUrl: gw.url,
  });
  const webRoot = dashboardWebRoot();
  const server = createAdminServer({ services, routes: adminRoutes(services), webRoot });
  const url = await listenPreferring(server);
  ctx.defer(() => server.close());
  const password = randomBytes(18).toString('base64url');
  const { enrolmentCode } = await services.operators.add({ name: OWNER, role: 'owner' }, LOCAL_ACTOR);
  const { totpSecret, otpauthUri } = await services.operators.enrolStart({
    name: OWNER,
    enrolmentCode,
    password,
  });
  // Confirmed with the previous step's code, so the code the authenticator shows now is still unused.
  await services.operators.enrolFinish({
    name: OWNER,
    enrolmentCode,
    code: totpCode(totpSecret, Date.now() - 30_000),
  });
  say('\nThe demo keeps running: sandbox, gateway and dashboard, on the demo data.');
  say(`  gateway:   ${gw.url}  (bots point CCXT here; the demo bot keeps trading)`);
  say(
    `  dashboard: ${url}/${webRoot ? '' : '  (not built: run `npm run build` for the web app; the API is up)'}`,
  );
  say(`  admin API: ${url}/api/v1  (OpenAPI at ${url}/api/v1/openapi.json)`);
  say('One-time owner sign-in for this demo run (printed once; the data directory is deleted at exit):');
  say(`  operator:  ${OWNER}`);
  say(`  password:  ${password}`);
  say(`  TOTP:      ${otpauthUri}`);
  say('  add the otpauth URI to an authenticator app, then sign in with its code');
  say('Press Ctrl-C to stop.');
  const stopBot = gw.bot ? startBot(gw.bot, say) : undefined;
  if (!gw.bot) say(NO_CCXT);
  try {
    await until;
  } finally {
    await stopBot?.();
    say('\nstopping the demo');
  }
}

/** Settles on the first Ctrl-C or SIGTERM. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
