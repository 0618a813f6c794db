import { type ChatWebhookOptions, chatWebhookSink } from './chat-webhook.js';
import { bodyText, headline, limit } from './format.js';
import type { AlertSink } from './sink-types.js';

/** Slack treats `<…>` as links and mentions (`<!channel>`): escape so request-derived text stays text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming webhook: a header block and a section, with `text` as the notification fallback. */
export function slackSink(options: ChatWebhookOptions): AlertSink {
  return chatWebhookSink('slack', options, (message) => ({
    text: limit(slackEscape(headline(message)), 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: limit(headline(message), 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: limit(slackEscape(bodyText(message)), 3000) } },
    ],
  }));
}
