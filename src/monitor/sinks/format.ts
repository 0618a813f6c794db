import type { AlertMessage } from './sink-types.js';

/** Human text shared by the chat and email sinks. */
export function headline(message: AlertMessage): string {
  const { alert, count } = message;
  const times = count > 1 ? ` (×${count})` : '';
  return `[${alert.severity.toUpperCase()}] ${alert.title}${times}`;
}

export function bodyText(message: AlertMessage): string {
  const { alert, count, firstAt, lastAt } = message;
  const lines = [alert.message];
  const facts = [`rule ${alert.rule}`];
  if (alert.client) facts.push(`client ${alert.client}`);
  if (alert.keyLabel) facts.push(`key ${alert.keyLabel}`);
  lines.push(facts.join(' · '));
  if (count > 1)
    lines.push(
      `${count} identical alerts between ${new Date(firstAt).toISOString()} and ${new Date(lastAt).toISOString()}`,
    );
  else lines.push(new Date(alert.at).toISOString());
  return lines.join('\n');
}

export function plainText(message: AlertMessage): string {
  return `${headline(message)}\n${bodyText(message)}`;
}

/** Clip to a platform's message limit. */
export function limit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
