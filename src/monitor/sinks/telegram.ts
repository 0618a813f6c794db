import type { Dispatcher } from 'undici';
import { limit, plainText } from './format.js';
import { post } from './http.js';
import { type AlertSink, SinkError } from './sink-types.js';

/**
 * Telegram Bot API `sendMessage` as plain text (no parse_mode, so nothing needs escaping).
 * The bot token is part of the URL path, so the URL never appears in an error.
 */
export function telegramSink(options: {
  name: string;
  botToken: string;
  chatId: string | number;
  baseUrl: string;
  dispatcher?: Dispatcher;
}): AlertSink {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/bot${options.botToken}/sendMessage`;
  return {
    name: options.name,
    type: 'telegram',
    async send(message, signal) {
      const answer = await post(options.name, {
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          chat_id: options.chatId,
          text: limit(plainText(message), 4096),
          disable_web_page_preview: true,
        }),
        signal,
        dispatcher: options.dispatcher,
      });
      let ok = false;
      try {
        ok = (JSON.parse(answer.text) as { ok?: unknown }).ok === true;
      } catch {
        ok = false;
      }
      if (!ok) throw new SinkError(`${options.name}: Telegram answered without ok:true`, false);
    },
  };
}
