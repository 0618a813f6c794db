import { type Dispatcher, request } from 'undici';
import { SinkError } from './sink-types.js';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Longest answer body read from a sink endpoint; the rest is discarded. */
const MAX_ANSWER_BYTES = 16_384;

/**
 * POST with undici, classifying failures for the retry loop: network errors, timeouts,
 * 429 and 5xx are retryable; other 4xx are not (the request itself is wrong). Error
 * messages name the sink, never its URL.
 */
export async function post(sinkName: string, req: HttpPost): Promise<HttpAnswer> {
  let status: number;
  let text = '';
  let retryAfter: string | undefined;
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher: req.dispatcher,
    });
    status = res.statusCode;
    const header = res.headers['retry-after'];
    retryAfter = Array.isArray(header) ? header[0] : header;
    text = await readCapped(res.body);
  } catch (err) {
    if (req.signal.aborted) throw new SinkError(`${sinkName}: timed out`, true);
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'network error';
    throw new SinkError(`${sinkName}: ${code}`, true);
  }
  if (status >= 200 && status < 300) return { status, text };
  const retryable = status === 429 || status === 408 || status >= 500;
  throw new SinkError(`${sinkName}: HTTP ${status}`, retryable, parseRetryAfter(retryAfter));
}

async function readCapped(
  body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void },
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk);
    if (size + buf.length > MAX_ANSWER_BYTES) {
      chunks.push(buf.subarray(0, MAX_ANSWER_BYTES - size));
      body.destroy?.();
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
