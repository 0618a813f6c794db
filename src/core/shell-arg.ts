const SAFE_ARG = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** One POSIX shell word: bare when it is safe, single-quoted otherwise (so a printed command runs as shown). */
export function shellArg(value: string): string {
  if (SAFE_ARG.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
