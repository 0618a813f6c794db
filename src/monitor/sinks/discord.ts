import { type ChatWebhookOptions, chatWebhookSink } from './chat-webhook.js';
import { bodyText, headline, limit } from './format.js';
import type { AlertSink } from './sink-types.js';

const COLORS = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626 } as const;

/**
 * Discord incoming webhook: one embed per message. `allowed_mentions: { parse: [] }` stops
 * text that came from a request (a symbol, a policy message) from pinging @everyone.
 */
export function discordSink(options: ChatWebhookOptions): AlertSink {
  return chatWebhookSink('discord', options, (message) => ({
    username: 'keywarden',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: limit(headline(message), 256),
        description: limit(bodyText(message), 4000),
        color: COLORS[message.alert.severity],
        timestamp: new Date(message.lastAt).toISOString(),
      },
    ],
  }));
}
