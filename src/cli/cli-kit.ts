import { resolve } from 'node:path';
import { ERROR_CODES, KeywardenError } from '../core/index.js';

/** Where keywarden keeps its state: `--data-dir`, else KEYWARDEN_DATA_DIR, else ./.keywarden. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.KEYWARDEN_DATA_DIR ?? '.keywarden');
}

/** An expected CLI failure: printed as one line, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One line for the user: known errors by message, unknown ones generically (details never reach the screen). */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof KeywardenError)
    return { message: err.message, exitCode: ERROR_CODES[err.code].status === 400 ? 2 : 1 };
  if (err instanceof Error && 'code' in err && err.code === 'invalid_credential')
    return { message: err.message, exitCode: 2 };
  return { message: 'unexpected internal error (run with KEYWARDEN_DEBUG=1 for details)', exitCode: 1 };
}

/** Wrap a command action so every failure ends as `keywarden: <one line>` and a non-zero exit. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const { message, exitCode } = describeError(err);
      process.stderr.write(`keywarden: ${message.split('\n')[0]}\n`);
      if (process.env.KEYWARDEN_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = exitCode;
    }
  };
}

/** Print data as JSON or as aligned text columns. */
export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): void {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => String(r[c] ?? '')))}\n`);
}

/** Monitor hooks for a CLI process: a delivery that finally failed is a warning on stderr, never silent. */
export const cliMonitorHooks = {
  onDeliveryError: (sink: string, message: string) =>
    process.stderr.write(`keywarden: warning: alert not delivered to sink ${sink}: ${message}\n`),
  onError: (context: string) => process.stderr.write(`keywarden: warning: ${context} failed\n`),
  closeGraceMs: 5_000,
};

/** A CLI process's checkpoint that did not reach `audit.anchorFile`: a warning, never silent. */
export const cliAnchorWarning = (): void => {
  process.stderr.write(
    'keywarden: warning: audit checkpoint not written to the anchor file (audit.anchorFile)\n',
  );
};
