import nodemailer from 'nodemailer';
import { abortable } from './abortable.js';
import { headline, limit, plainText } from './format.js';
import { type AlertSink, SinkError } from './sink-types.js';

export interface EmailSinkOptions {
  name: string;
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  user?: string;
  password?: string;
  from: string;
  to: string[];
  /** Socket-level timeouts for the SMTP conversation. */
  timeoutMs: number;
}

/** Email over SMTP with nodemailer; one connection per message (alerts are rare). */
export function emailSink(options: EmailSinkOptions): AlertSink {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.security === 'tls',
    requireTLS: options.security === 'starttls',
    ignoreTLS: options.security === 'none',
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    name: options.name,
    type: 'email',
    async send(message, signal) {
      const mail = transport.sendMail({
        from: options.from,
        to: options.to,
        subject: limit(headline(message).replace(/[\r\n]+/g, ' '), 200),
        text: plainText(message),
        headers: { 'X-Keywarden-Rule': message.alert.rule, 'X-Keywarden-Delivery': message.deliveryId },
      });
      try {
        await abortable(mail, signal);
      } catch (err) {
        if (signal.aborted) throw new SinkError(`${options.name}: timed out`, true);
        throw new SinkError(`${options.name}: ${describeSmtpError(err)}`, isRetryable(err));
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** SMTP reply code or nodemailer error code only: server replies may echo addresses or credentials. */
function describeSmtpError(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { responseCode?: number; code?: string };
    if (e.responseCode) return `SMTP ${e.responseCode}${e.code ? ` (${e.code})` : ''}`;
    if (e.code) return e.code;
  }
  return 'SMTP error';
}

function isRetryable(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  const e = err as Error & { responseCode?: number; code?: string };
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE') return false;
  if (e.responseCode !== undefined) return e.responseCode < 500;
  return true;
}
