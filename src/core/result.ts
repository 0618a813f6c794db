/**
 * The one success-or-failure shape. Stages and services return it instead of throwing for
 * expected failures, so a caller must look at the failure before it can reach the value.
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
