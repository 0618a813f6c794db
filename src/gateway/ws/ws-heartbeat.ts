/** Ping a peer every PING_INTERVAL_MS; one that has not ponged by the next ping is cut off. Returns the stop function. */
import type WebSocket from 'ws';
import { PING_INTERVAL_MS } from './ws-limits.js';

export function heartbeat(socket: WebSocket): () => void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, PING_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
