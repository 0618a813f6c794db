import { KeywardenError } from '../../core/index.js';
import type { Alert } from '../monitor-types.js';

/** What a sink sends: one alert, possibly standing for several identical ones. */
export interface AlertMessage {
  alert: Alert;
  /** How many identical alerts (same dedupKey) this message stands for; 1 for a single alert. */
  count: number;
  firstAt: number;
  lastAt: number;
  /** Stable per message across retries, so receivers can drop duplicates. */
  deliveryId: string;
}

/** A delivery channel. `send` rejects with SinkError; it must honour `signal` (the per-attempt timeout). */
export interface AlertSink {
  readonly name: string;
  readonly type: 'discord' | 'slack' | 'telegram' | 'webhook' | 'email';
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A failed delivery (code `sink_failed`). The message is safe to print: it never contains the
 * endpoint URL (Discord/Slack/Telegram URLs embed their token) or any other secret.
 */
export class SinkError extends KeywardenError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super('sink_failed', message);
    this.name = 'SinkError';
  }
}
