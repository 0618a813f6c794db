/**
 * The rate budgets as one upstream WebSocket connection spends them: every request names the
 * connection (its `connection` limits, and the exchange's WebSocket costs instead of REST's), and
 * the first admitted one also pays for opening the upstream socket (Binance counts a WebSocket
 * API connection as 2 weight; OKX and Bybit limit new connections per IP).
 */
import { randomUUID } from 'node:crypto';
import type { RateBudgets } from './rate-budgets.js';

export function connectionBudgets(budgets: RateBudgets): RateBudgets {
  const connection = `c${randomUUID().replaceAll('-', '')}`;
  let opened = false;
  return {
    async acquire(subject, request) {
      // The first request in flight pays the opening; if it is not admitted, the next one does.
      const opens = !opened;
      opened = true;
      const admitted = await budgets.acquire({ ...subject, ws: { connection, opens } }, request);
      if (!admitted.ok && opens) opened = false;
      return admitted;
    },
    settle: (ticket, status, headers) => budgets.settle(ticket, status, headers),
    release: (ticket) => budgets.release(ticket),
  };
}
