import type { Dispatcher } from 'undici';
import { post } from './http.js';
import type { AlertMessage, AlertSink } from './sink-types.js';

export interface ChatWebhookOptions {
  name: string;
  /** The incoming-webhook URL; it embeds the channel's token, so it never appears in an error. */
  url: string;
  dispatcher?: Dispatcher;
}

/**
 * A chat service's incoming webhook (Discord, Slack): one JSON payload per message, POSTed as
 * it is; the services differ only in the payload, which `payload` shapes and escapes.
 */
export function chatWebhookSink(
  type: 'discord' | 'slack',
  options: ChatWebhookOptions,
  payload: (message: AlertMessage) => unknown,
): AlertSink {
  return {
    name: options.name,
    type,
    async send(message, signal) {
      await post(options.name, {
        url: options.url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload(message)),
        signal,
        dispatcher: options.dispatcher,
      });
    },
  };
}
