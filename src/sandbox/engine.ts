/**
 * The exchange-neutral core of the sandbox: markets with scriptable prices, balances per
 * account, orders with an immediate fill when marketable, trades and withdrawals. Each
 * exchange emulator (src/sandbox/<name>.ts) translates its own wire format onto this.
 */
import type { Result } from '../core/index.js';

export interface Market {
  /** `BASE/QUOTE` for spot, `BASE/QUOTE:SETTLE` for a perpetual swap (CCXT's form). */
  symbol: string;
  base: string;
  quote: string;
  /** Settle asset of a derivative (linear swaps settle in the quote); absent for spot. */
  settle?: string;
  price: number;
}

export type OrderStatus = 'open' | 'filled' | 'canceled';

export interface Order {
  id: string;
  clientOrderId?: string;
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price?: number;
  quantity: number;
  filled: number;
  averagePrice?: number;
  status: OrderStatus;
  createdAt: number;
  updatedAt: number;
}

export interface Trade {
  id: string;
  orderId: string;
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: number;
  quantity: number;
  fee: number;
  feeCurrency: string;
  at: number;
}

export interface Withdrawal {
  id: string;
  account: string;
  coin: string;
  amount: number;
  address: string;
  network?: string;
  tag?: string;
  status: 'completed';
  at: number;
}

export interface Balance {
  free: number;
  locked: number;
}

export type EngineError =
  | { code: 'unknown_symbol'; message: string }
  | { code: 'invalid_quantity'; message: string }
  | { code: 'invalid_price'; message: string }
  | { code: 'insufficient_balance'; message: string }
  | { code: 'order_not_found'; message: string }
  | { code: 'duplicate_client_order_id'; message: string };

export type EngineResult<T> = Result<T, EngineError>;

export interface PlaceOrder {
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  /** Base quantity. For market buys, either quantity or quoteQuantity. */
  quantity?: number;
  quoteQuantity?: number;
  price?: number;
  clientOrderId?: string;
}

export const DEFAULT_MARKETS: ReadonlyArray<Omit<Market, 'symbol'>> = [
  { base: 'BTC', quote: 'USDT', price: 60000 },
  { base: 'ETH', quote: 'USDT', price: 3000 },
  { base: 'SOL', quote: 'USDT', price: 150 },
  { base: 'DOGE', quote: 'USDT', price: 0.1 },
  { base: 'ETH', quote: 'BTC', price: 0.05 },
  { base: 'BTC', quote: 'USD', price: 60000 },
  { base: 'ETH', quote: 'USD', price: 3000 },
  { base: 'SOL', quote: 'USD', price: 150 },
  { base: 'BTC', quote: 'EUR', price: 55000 },
  // Linear perpetuals: orders are placed in base units (each emulator converts its contracts).
  { base: 'BTC', quote: 'USDT', settle: 'USDT', price: 60000 },
  { base: 'ETH', quote: 'USDT', settle: 'USDT', price: 3000 },
  { base: 'DOGE', quote: 'USDT', settle: 'USDT', price: 0.1 },
];

export const DEFAULT_BALANCES: Readonly<Record<string, number>> = {
  USDT: 100_000,
  USD: 100_000,
  EUR: 50_000,
  BTC: 2,
  ETH: 20,
  SOL: 100,
  DOGE: 10_000,
};

const FEE_RATE = 0.001;

export interface Engine {
  /** Spot markets (what every emulator lists as its symbols). */
  markets(): Market[];
  /** Linear perpetual swaps (`BTC/USDT:USDT`), for emulators that list derivatives. */
  swaps(): Market[];
  market(symbol: string): Market | undefined;
  setPrice(symbol: string, price: number): void;
  balances(account: string): Map<string, Balance>;
  placeOrder(input: PlaceOrder): EngineResult<Order>;
  cancelOrder(account: string, ref: { id?: string; clientOrderId?: string }): EngineResult<Order>;
  order(account: string, ref: { id?: string; clientOrderId?: string }): Order | undefined;
  openOrders(account: string, symbol?: string): Order[];
  closedOrders(account: string, symbol?: string): Order[];
  trades(account: string, symbol?: string): Trade[];
  withdraw(input: Omit<Withdrawal, 'id' | 'status' | 'at'>): EngineResult<Withdrawal>;
  withdrawals(account: string): Withdrawal[];
}

/** Every asset some market trades (base or quote), sorted: what an exchange lists as its coins. */
export function marketAssets(engine: Pick<Engine, 'markets'>): string[] {
  const set = new Set<string>();
  for (const m of engine.markets()) {
    set.add(m.base);
    set.add(m.quote);
  }
  return [...set].sort();
}

export interface EngineOptions {
  now?: () => number;
  markets?: ReadonlyArray<Omit<Market, 'symbol'>>;
  balances?: Readonly<Record<string, number>>;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const now = options.now ?? Date.now;
  const markets = new Map<string, Market>();
  for (const m of options.markets ?? DEFAULT_MARKETS) {
    const symbol = m.settle ? `${m.base}/${m.quote}:${m.settle}` : `${m.base}/${m.quote}`;
    markets.set(symbol, { ...m, symbol });
  }
  const initialBalances = options.balances ?? DEFAULT_BALANCES;
  const accounts = new Map<string, Map<string, Balance>>();
  const orders: Order[] = [];
  const trades: Trade[] = [];
  const withdrawals: Withdrawal[] = [];
  let seq = 1000;
  const nextId = () => String(++seq);

  function balances(account: string): Map<string, Balance> {
    let b = accounts.get(account);
    if (!b) {
      b = new Map(Object.entries(initialBalances).map(([k, v]) => [k, { free: v, locked: 0 }]));
      accounts.set(account, b);
    }
    return b;
  }

  function bal(account: string, asset: string): Balance {
    const b = balances(account);
    let entry = b.get(asset);
    if (!entry) {
      entry = { free: 0, locked: 0 };
      b.set(asset, entry);
    }
    return entry;
  }

  function fill(order: Order, market: Market, price: number): void {
    const qty = order.quantity - order.filled;
    const cost = qty * price;
    const base = bal(order.account, market.base);
    const quote = bal(order.account, market.quote);
    if (order.side === 'buy') {
      if (order.type === 'limit' && order.price !== undefined) quote.locked -= qty * order.price;
      else quote.free -= cost;
      if (order.type === 'limit' && order.price !== undefined) quote.free += qty * order.price - cost;
      base.free += qty * (1 - FEE_RATE);
    } else {
      if (order.type === 'limit') base.locked -= qty;
      else base.free -= qty;
      quote.free += cost * (1 - FEE_RATE);
    }
    order.filled = order.quantity;
    order.averagePrice = price;
    order.status = 'filled';
    order.updatedAt = now();
    trades.push({
      id: nextId(),
      orderId: order.id,
      account: order.account,
      symbol: order.symbol,
      side: order.side,
      price,
      quantity: qty,
      fee: order.side === 'buy' ? qty * FEE_RATE : cost * FEE_RATE,
      feeCurrency: order.side === 'buy' ? market.base : market.quote,
      at: now(),
    });
  }

  function findOrder(account: string, ref: { id?: string; clientOrderId?: string }): Order | undefined {
    return orders.find(
      (o) =>
        o.account === account &&
        ((ref.id !== undefined && o.id === ref.id) ||
          (ref.clientOrderId !== undefined && o.clientOrderId === ref.clientOrderId)),
    );
  }

  return {
    markets: () => [...markets.values()].filter((m) => m.settle === undefined),
    swaps: () => [...markets.values()].filter((m) => m.settle !== undefined),
    market: (symbol) => markets.get(symbol),
    setPrice(symbol, price) {
      const m = markets.get(symbol);
      if (m) m.price = price;
      else {
        const [base, quote] = symbol.split('/');
        if (base && quote) markets.set(symbol, { symbol, base, quote, price });
      }
    },
    balances,
    placeOrder(input) {
      const market = markets.get(input.symbol);
      if (!market)
        return { ok: false, error: { code: 'unknown_symbol', message: `Unknown symbol ${input.symbol}` } };
      if (
        input.clientOrderId !== undefined &&
        orders.some((o) => o.account === input.account && o.clientOrderId === input.clientOrderId)
      ) {
        return {
          ok: false,
          error: { code: 'duplicate_client_order_id', message: 'Duplicate client order id' },
        };
      }
      let quantity = input.quantity;
      if (quantity === undefined && input.quoteQuantity !== undefined && input.type === 'market') {
        quantity = input.quoteQuantity / market.price;
      }
      if (quantity === undefined || !(quantity > 0)) {
        return { ok: false, error: { code: 'invalid_quantity', message: 'Quantity must be positive' } };
      }
      if (input.type === 'limit' && !(input.price !== undefined && input.price > 0)) {
        return { ok: false, error: { code: 'invalid_price', message: 'Limit orders need a positive price' } };
      }
      const marketable =
        input.type === 'market' ||
        (input.side === 'buy' ? (input.price ?? 0) >= market.price : (input.price ?? 0) <= market.price);
      const needAsset = input.side === 'buy' ? market.quote : market.base;
      const need =
        input.side === 'buy'
          ? quantity * (input.type === 'limit' ? (input.price ?? market.price) : market.price)
          : quantity;
      const b = bal(input.account, needAsset);
      if (b.free + 1e-12 < need) {
        return {
          ok: false,
          error: { code: 'insufficient_balance', message: `Insufficient ${needAsset} balance` },
        };
      }
      const order: Order = {
        id: nextId(),
        account: input.account,
        symbol: input.symbol,
        side: input.side,
        type: input.type,
        quantity,
        filled: 0,
        status: 'open',
        createdAt: now(),
        updatedAt: now(),
        ...(input.price !== undefined && input.type === 'limit' ? { price: input.price } : {}),
        ...(input.clientOrderId !== undefined ? { clientOrderId: input.clientOrderId } : {}),
      };
      orders.push(order);
      if (input.type === 'limit') {
        b.free -= need;
        b.locked += need;
      }
      if (marketable) fill(order, market, market.price);
      return { ok: true, value: order };
    },
    cancelOrder(account, ref) {
      const order = findOrder(account, ref);
      if (order?.status !== 'open') {
        return { ok: false, error: { code: 'order_not_found', message: 'Order does not exist' } };
      }
      const market = markets.get(order.symbol);
      if (market) {
        const rest = order.quantity - order.filled;
        if (order.side === 'buy') {
          const q = bal(account, market.quote);
          const amount = rest * (order.price ?? 0);
          q.locked -= amount;
          q.free += amount;
        } else {
          const bb = bal(account, market.base);
          bb.locked -= rest;
          bb.free += rest;
        }
      }
      order.status = 'canceled';
      order.updatedAt = now();
      return { ok: true, value: order };
    },
    order: findOrder,
    openOrders: (account, symbol) =>
      orders.filter((o) => o.account === account && o.status === 'open' && (!symbol || o.symbol === symbol)),
    closedOrders: (account, symbol) =>
      orders.filter((o) => o.account === account && o.status !== 'open' && (!symbol || o.symbol === symbol)),
    trades: (account, symbol) =>
      trades.filter((t) => t.account === account && (!symbol || t.symbol === symbol)),
    withdraw(input) {
      if (!(input.amount > 0)) {
        return { ok: false, error: { code: 'invalid_quantity', message: 'Amount must be positive' } };
      }
      const b = bal(input.account, input.coin);
      if (b.free + 1e-12 < input.amount) {
        return {
          ok: false,
          error: { code: 'insufficient_balance', message: `Insufficient ${input.coin} balance` },
        };
      }
      b.free -= input.amount;
      const w: Withdrawal = { ...input, id: nextId(), status: 'completed', at: now() };
      withdrawals.push(w);
      return { ok: true, value: w };
    },
    withdrawals: (account) => withdrawals.filter((w) => w.account === account),
  };
}
