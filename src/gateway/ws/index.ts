export { attachWebSockets, type WsEdge } from './ws-server.js';
export type { WsHooks } from './ws-types.js';
