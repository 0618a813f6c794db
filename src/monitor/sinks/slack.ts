import type { Dispatcher } from 'undici';
import { bodyText, headline, limit } from './format.js';
import { post } from './http.js';
import type { AlertSink } from './sink-types.js';

/** Slack treats `<…>` as links and mentions (`<!channel>`): escape so request-derived text stays text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming webhook: a header block and a section, with `text` as the notification fallback. */
export function slackSink(options: { name: string; url: string; dispatcher?: Dispatcher }): AlertSink {
  return {
    name: options.name,
    type: 'slack',
    async send(message, signal) {
      const title = slackEscape(headline(message));
      const body = JSON.stringify({
        text: limit(title, 3000),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: limit(headline(message), 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: limit(slackEscape(bodyText(message)), 3000) } },
        ],
      });
      await post(options.name, {
        url: options.url,
        headers: { 'content-type': 'application/json' },
        body,
        signal,
        dispatcher: options.dispatcher,
      });
    },
  };
}
