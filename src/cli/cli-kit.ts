import { resolve } from 'node:path';
import { ERROR_CODES, type ErrorCode, KeywardenError } from '../core/index.js';

/** Where keywarden keeps its state: `--data-dir`, else KEYWARDEN_DATA_DIR, else ./.keywarden. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.KEYWARDEN_DATA_DIR ?? '.keywarden');
}

/** The exit code of a failure with this code: 2 for a 400-class input error, else 1. */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return ERROR_CODES[code].status === 400 ? 2 : 1;
}

/**
 * An expected CLI failure, printed as one line: a usage error (exit 2) is `invalid_input`,
 * anything else `command_failed` (exit 1), so the exit code follows from the code like any
 * other KeywardenError's.
 */
export class CliError extends KeywardenError {
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(exitCode === 2 ? 'invalid_input' : 'command_failed', message);
    this.name = 'CliError';
  }
  get exitCode(): 1 | 2 {
    return exitCodeFor(this.code);
  }
}

/** One line for the user: known errors by message, unknown ones generically (details never reach the screen). */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof KeywardenError) return { message: err.message, exitCode: exitCodeFor(err.code) };
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
