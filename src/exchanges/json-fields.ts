/**
 * Reading exchange answers (not signed client bodies: those go through strict-json.ts). An
 * answer that is not JSON, or not the expected shape, reads as `undefined`, never as an error:
 * the caller reports it with the HTTP status instead.
 */
import { isRecord, textField } from './strict-json.js';

/** The parsed answer, or `undefined` when it is not JSON (`JSON.parse` itself never yields `undefined`). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The answer when it is a JSON object. */
export function parseJsonRecord(text: string): Record<string, unknown> | undefined {
  const value = parseJson(text);
  return isRecord(value) ? value : undefined;
}

/** The strings of a JSON array (anything else in it, or a non-array, is left out). */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/** An exchange's error code and message, read from the fields it names them by. */
export function errorFields(
  answer: unknown,
  codeField: string,
  messageField: string,
): { code: string | undefined; message: string | undefined } {
  if (!isRecord(answer)) return { code: undefined, message: undefined };
  return { code: textField(answer, codeField), message: textField(answer, messageField) };
}

/**
 * `HTTP 400 -2011 Unknown order sent.`: an exchange's refusal in one line (status, then the code
 * and message read from the answer's fields that name them), the message cut to 200 characters.
 */
export function refusalLine(
  status: number,
  answer: unknown,
  codeField: string,
  messageField: string,
): string {
  const { code, message } = errorFields(answer, codeField, messageField);
  return `HTTP ${status}${code ? ` ${code}` : ''}${message ? ` ${message.slice(0, 200)}` : ''}`;
}
