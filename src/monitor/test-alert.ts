import { prefixedId } from '../core/index.js';
import { abortable } from './sinks/abortable.js';
import type { ConfiguredSink } from './sinks/build.js';
import { SinkError } from './sinks/sink-types.js';

export type TestAlertResult = { sink: string; ok: true } | { sink: string; ok: false; reason: string };

/** One delivery attempt of a harmless test alert (for `keywarden alerts test`), bypassing threshold and grouping. */
export async function sendTestAlert(configured: ConfiguredSink, now = Date.now()): Promise<TestAlertResult> {
  const { sink, options } = configured;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    await abortable(
      sink.send(
        {
          alert: {
            id: prefixedId('alr'),
            at: now,
            rule: 'monitor.test',
            severity: 'info',
            title: 'keywarden test alert',
            message: `Test alert for sink ${sink.name} (${sink.type}); if you can read this, delivery works.`,
            dedupKey: `monitor.test:${sink.name}`,
          },
          count: 1,
          firstAt: now,
          lastAt: now,
          deliveryId: prefixedId('dlv'),
        },
        signal,
      ),
      signal,
    );
    return { sink: sink.name, ok: true };
  } catch (err) {
    const reason =
      err instanceof SinkError
        ? err.message.replace(`${sink.name}: `, '')
        : signal.aborted
          ? `timed out after ${options.timeoutMs} ms`
          : 'send failed';
    return { sink: sink.name, ok: false, reason };
  }
}
